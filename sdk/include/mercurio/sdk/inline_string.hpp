#pragma once
/// @file inline_string.hpp
/// Fixed-capacity string stored inline, so bars and order events stay trivially copyable
/// and never allocate on the hot path.

#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mercurio::sdk {

/// A string of at most `Capacity` bytes kept inline. Construction from a longer string throws
/// std::length_error naming the value: identifiers are never silently truncated.
template <std::size_t Capacity>
class InlineString {
  static_assert(Capacity < 256, "length is kept in one byte");

 public:
  static constexpr std::size_t kCapacity = Capacity;

  constexpr InlineString() noexcept = default;
  InlineString(std::string_view text) {  // NOLINT(google-explicit-constructor): ids read naturally as strings
    if (text.size() > Capacity)
      throw std::length_error("identifier longer than " + std::to_string(Capacity) + " characters: \"" +
                              std::string(text.substr(0, 64)) + "\"");
    std::memcpy(data_, text.data(), text.size());
    size_ = static_cast<unsigned char>(text.size());
  }
  InlineString(const char* text) : InlineString(std::string_view(text)) {}  // NOLINT
  InlineString(const std::string& text) : InlineString(std::string_view(text)) {}  // NOLINT

  /// True when `text` fits; use before constructing from untrusted input to avoid the throw.
  static constexpr bool fits(std::string_view text) noexcept { return text.size() <= Capacity; }

  std::string_view view() const noexcept { return {data_, size_}; }
  std::string str() const { return std::string(view()); }
  operator std::string_view() const noexcept { return view(); }  // NOLINT
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  // Symbols and ids are compared on every bar (map and hash lookups), so these work on whole
  // words instead of calling memcmp. Bytes past size() are always zero (data_ is zero-initialized
  // and only ever written whole), so comparing the padded arrays byte-wise and then the sizes
  // gives exactly the lexicographic order of view().compare().
  friend bool operator==(const InlineString& a, const InlineString& b) noexcept {
    return a.size_ == b.size_ && std::memcmp(a.data_, b.data_, Capacity) == 0;
  }
  friend std::strong_ordering operator<=>(const InlineString& a, const InlineString& b) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= Capacity; i += 8) {
      std::uint64_t x, y;
      std::memcpy(&x, a.data_ + i, 8);
      std::memcpy(&y, b.data_ + i, 8);
      if (x != y) {
        if constexpr (std::endian::native == std::endian::little) {
          x = __builtin_bswap64(x);
          y = __builtin_bswap64(y);
        }
        return x < y ? std::strong_ordering::less : std::strong_ordering::greater;
      }
    }
    for (; i < Capacity; ++i)
      if (a.data_[i] != b.data_[i])
        return static_cast<unsigned char>(a.data_[i]) < static_cast<unsigned char>(b.data_[i]) ? std::strong_ordering::less
                                                                                                  : std::strong_ordering::greater;
    return a.size_ <=> b.size_;
  }

 private:
  char data_[Capacity] = {};
  unsigned char size_ = 0;
};

}  // namespace mercurio::sdk

template <std::size_t N>
struct std::hash<mercurio::sdk::InlineString<N>> {
  std::size_t operator()(const mercurio::sdk::InlineString<N>& s) const noexcept {
    return std::hash<std::string_view>{}(s.view());
  }
};
