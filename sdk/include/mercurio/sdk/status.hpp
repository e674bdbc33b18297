#pragma once
/// @file status.hpp
/// Errors as values across the plugin boundary.

#include <string>
#include <utility>
#include <variant>

namespace mercurio::sdk {

enum class StatusCode : unsigned char {
  Ok,
  InvalidArgument,  ///< the caller's input is wrong (bad intent, bad config)
  NotFound,         ///< unknown order id, symbol, file
  Rejected,         ///< refused by policy or venue
  Unavailable,      ///< transient: connection down, rate limited; may be retried
  Unknown,          ///< outcome not known (timeout after send): must be resolved, never retried blindly
  Internal,         ///< a bug or unrecoverable state in the plugin
};

/// The result of an operation: Ok, or a code with a human message ("expected X, was Y").
class Status {
 public:
  Status() noexcept = default;
  Status(StatusCode code, std::string message, bool retryable = false)
      : code_(code), retryable_(retryable), message_(std::move(message)) {}

  static Status ok() noexcept { return {}; }
  bool is_ok() const noexcept { return code_ == StatusCode::Ok; }
  explicit operator bool() const noexcept { return is_ok(); }
  StatusCode code() const noexcept { return code_; }
  bool retryable() const noexcept { return retryable_; }
  const std::string& message() const noexcept { return message_; }

 private:
  StatusCode code_ = StatusCode::Ok;
  bool retryable_ = false;
  std::string message_;
};

/// A value or the Status explaining why there is none.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  /// The error; Ok when a value is present.
  Status status() const { return has_value() ? Status{} : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mercurio::sdk
