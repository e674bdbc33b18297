#pragma once
/// @file config.hpp
/// Typed plugin configuration: each plugin declares a ConfigSchema; the kernel validates the
/// plugin's `[plugin.config]` table against it (unknown keys are errors, defaults filled in,
/// secrets resolved) and hands the plugin a read-only ConfigView.

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "mercurio/sdk/decimal.hpp"

namespace mercurio::sdk {

/// A resolved secret (API key, password). It has no stream operator and no implicit
/// conversion, so it cannot end up in a log line by accident; `reference()` is the
/// printable "env:NAME" / "file:PATH" it came from.
class Secret {
 public:
  Secret() = default;
  Secret(std::string reference, std::string value) : reference_(std::move(reference)), value_(std::move(value)) {}
  const std::string& reveal() const noexcept { return value_; }
  const std::string& reference() const noexcept { return reference_; }
  bool empty() const noexcept { return value_.empty(); }

 private:
  std::string reference_;
  std::string value_;
};

enum class ConfigType : unsigned char {
  String,      ///< TOML string
  Integer,     ///< TOML integer
  Decimal,     ///< TOML string ("0.005") or integer; a float is taken at its shortest decimal spelling
  Boolean,     ///< TOML boolean
  StringList,  ///< TOML array of strings
  StringMap,   ///< TOML table of string values, e.g. `data = { SPY = "spy.csv" }` (sorted by key)
  Secret,      ///< TOML string "env:NAME" or "file:PATH"; literals are refused
};
std::string_view to_string(ConfigType type) noexcept;

using StringMap = std::map<std::string, std::string>;
using ConfigValue = std::variant<std::string, std::int64_t, Decimal, bool, std::vector<std::string>, StringMap, Secret>;

/// One key of a plugin's schema. Build with the static constructors and chain the setters:
/// `ConfigField::integer("short_window", "bars in the short average").min(1).defaults(10)`.
struct ConfigField {
  std::string key;
  ConfigType type = ConfigType::String;
  std::string description;
  bool required = false;
  std::optional<ConfigValue> default_value;
  std::vector<std::string> allowed;          ///< String: the accepted values, when not empty
  std::optional<Decimal> minimum;            ///< Integer/Decimal: inclusive bounds
  std::optional<Decimal> maximum;

  static ConfigField string(std::string key, std::string description) { return make(std::move(key), ConfigType::String, std::move(description)); }
  static ConfigField integer(std::string key, std::string description) { return make(std::move(key), ConfigType::Integer, std::move(description)); }
  static ConfigField decimal(std::string key, std::string description) { return make(std::move(key), ConfigType::Decimal, std::move(description)); }
  static ConfigField boolean(std::string key, std::string description) { return make(std::move(key), ConfigType::Boolean, std::move(description)); }
  static ConfigField string_list(std::string key, std::string description) { return make(std::move(key), ConfigType::StringList, std::move(description)); }
  static ConfigField string_map(std::string key, std::string description) { return make(std::move(key), ConfigType::StringMap, std::move(description)); }
  static ConfigField secret(std::string key, std::string description) { return make(std::move(key), ConfigType::Secret, std::move(description)); }

  ConfigField&& mandatory() && { required = true; return std::move(*this); }
  /// Default values follow the field's type: `decimal(...).defaults("0.5")` and `.defaults(1)` store
  /// decimals, `integer(...).defaults(10)` an integer. The kernel refuses a default of another type.
  ConfigField&& defaults(ConfigValue v) && { default_value = std::move(v); return std::move(*this); }
  ConfigField&& defaults(const char* v) && {
    if (type == ConfigType::Decimal) default_value = Decimal::from_string(v);
    else default_value = std::string(v);
    return std::move(*this);
  }
  ConfigField&& defaults(int v) && {
    if (type == ConfigType::Decimal) default_value = Decimal::from_int(v);
    else default_value = static_cast<std::int64_t>(v);
    return std::move(*this);
  }
  ConfigField&& defaults(bool v) && { default_value = v; return std::move(*this); }
  ConfigField&& one_of(std::vector<std::string> values) && { allowed = std::move(values); return std::move(*this); }
  ConfigField&& min(Decimal v) && { minimum = v; return std::move(*this); }
  ConfigField&& max(Decimal v) && { maximum = v; return std::move(*this); }
  ConfigField&& min(std::int64_t v) && { minimum = Decimal::from_int(v); return std::move(*this); }
  ConfigField&& max(std::int64_t v) && { maximum = Decimal::from_int(v); return std::move(*this); }

 private:
  static ConfigField make(std::string key, ConfigType type, std::string description) {
    ConfigField f;
    f.key = std::move(key);
    f.type = type;
    f.description = std::move(description);
    return f;
  }
};

/// The keys a plugin accepts, in the order they are documented.
struct ConfigSchema {
  std::vector<ConfigField> fields;

  ConfigSchema& add(ConfigField field) {
    fields.push_back(std::move(field));
    return *this;
  }
  const ConfigField* find(std::string_view key) const noexcept {
    for (const auto& f : fields)
      if (f.key == key) return &f;
    return nullptr;
  }
};

/// Thrown by ConfigView when a plugin asks for a key it did not declare or with the wrong type:
/// a plugin bug, reported by the kernel as a plugin fault.
class ConfigAccessError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// How the kernel runs: replaying history, trading on simulated fills, or with real money.
/// Plugins that can reach real money (a live broker account) check it: `Live` is the only mode in
/// which the kernel sends orders with the write-ahead journal required.
enum class RunMode : unsigned char { Backtest, Paper, Live };

/// Validated, read-only configuration of one plugin instance. Every declared key with a
/// default is present; optional keys without a default may be absent (`has`).
/// Lifetime: owned by the kernel, valid for the life of the plugin object.
class ConfigView {
 public:
  ConfigView() = default;
  ConfigView(std::string plugin_id, std::map<std::string, ConfigValue> values, std::string base_directory = ".",
             RunMode run_mode = RunMode::Backtest)
      : plugin_id_(std::move(plugin_id)),
        values_(std::move(values)),
        base_directory_(std::move(base_directory)),
        run_mode_(run_mode) {}

  const std::string& plugin_id() const noexcept { return plugin_id_; }
  /// Directory of the configuration file: relative paths in this plugin's config are relative to it.
  const std::string& base_directory() const noexcept { return base_directory_; }
  /// The mode this run uses (after the command line's `--mode` override). Since ABI 2.1.
  RunMode run_mode() const noexcept { return run_mode_; }
  bool has(const std::string& key) const { return values_.count(key) != 0; }

  const std::string& get_string(const std::string& key) const { return get<std::string>(key); }
  std::int64_t get_integer(const std::string& key) const { return get<std::int64_t>(key); }
  Decimal get_decimal(const std::string& key) const { return get<Decimal>(key); }
  bool get_boolean(const std::string& key) const { return get<bool>(key); }
  const std::vector<std::string>& get_string_list(const std::string& key) const { return get<std::vector<std::string>>(key); }
  const StringMap& get_string_map(const std::string& key) const { return get<StringMap>(key); }
  const Secret& get_secret(const std::string& key) const { return get<Secret>(key); }

 private:
  template <class T>
  const T& get(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw ConfigAccessError("plugin '" + plugin_id_ + "' read config key '" + key + "' which is not set");
    const T* v = std::get_if<T>(&it->second);
    if (!v) throw ConfigAccessError("plugin '" + plugin_id_ + "' read config key '" + key + "' with the wrong type");
    return *v;
  }
  std::string plugin_id_;
  std::map<std::string, ConfigValue> values_;
  std::string base_directory_ = ".";
  // Appended in ABI 2.1: members are only ever added at the end, so a 2.0 plugin reading the
  // earlier ones through its own inline accessors still finds them where it expects.
  RunMode run_mode_ = RunMode::Backtest;
};

inline std::string_view to_string(ConfigType type) noexcept {
  switch (type) {
    case ConfigType::String: return "string";
    case ConfigType::Integer: return "integer";
    case ConfigType::Decimal: return "decimal";
    case ConfigType::Boolean: return "boolean";
    case ConfigType::StringList: return "array of strings";
    case ConfigType::StringMap: return "table of strings";
    case ConfigType::Secret: return "secret reference";
  }
  return "?";
}

}  // namespace mercurio::sdk
