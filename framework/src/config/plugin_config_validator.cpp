#include "config/plugin_config_validator.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/toml_helpers.hpp"

namespace mercurio::kernel {
namespace {

using sdk::ConfigField;
using sdk::ConfigType;
using sdk::ConfigValue;
using sdk::Decimal;
using toml_helpers::column_of;
using toml_helpers::describe;
using toml_helpers::line_of;
using toml_helpers::type_name;

constexpr std::uintmax_t kMaxSecretFileBytes = 64 * 1024;  // keys and tokens, not data

// A declared default must have the declared type: otherwise the plugin would read a value of the
// wrong type at run time. This is a bug in the plugin, reported against its entry.
bool default_matches(const ConfigField& field) {
  const ConfigValue& v = *field.default_value;
  switch (field.type) {
    case ConfigType::String: return std::holds_alternative<std::string>(v);
    case ConfigType::Integer: return std::holds_alternative<std::int64_t>(v);
    case ConfigType::Decimal: return std::holds_alternative<Decimal>(v);
    case ConfigType::Boolean: return std::holds_alternative<bool>(v);
    case ConfigType::StringList: return std::holds_alternative<std::vector<std::string>>(v);
    case ConfigType::StringMap: return std::holds_alternative<sdk::StringMap>(v);
    case ConfigType::Secret: return false;  // secrets always come from the configuration
  }
  return false;
}

class FieldReader {
 public:
  FieldReader(const PluginEntry& entry, const Config& config, const EnvLookup& env, ConfigIssues& issues)
      : entry_(entry), config_(config), env_(env), issues_(issues) {}

  std::optional<ConfigValue> read(const ConfigField& field, const toml::node& node) {
    path_ = entry_.key_path() + ".config." + field.key;
    node_ = &node;
    switch (field.type) {
      case ConfigType::String: return read_string(field);
      case ConfigType::Integer: return read_integer(field);
      case ConfigType::Decimal: return read_decimal(field);
      case ConfigType::Boolean:
        if (const auto* b = node.as_boolean()) return ConfigValue{b->get()};
        return fail("expected true or false, was " + describe(node));
      case ConfigType::StringList: return read_string_list();
      case ConfigType::StringMap: return read_string_map();
      case ConfigType::Secret: return read_secret();
    }
    return std::nullopt;
  }

  void issue(const toml::node* node, const std::string& path, std::string message) {
    issues_.add(config_.file.string(), node ? line_of(*node) : entry_.line, node ? column_of(*node) : 0, path,
                std::move(message));
  }

 private:
  std::nullopt_t fail(std::string message) {
    issue(node_, path_, std::move(message));
    return std::nullopt;
  }

  std::optional<ConfigValue> read_string(const ConfigField& field) {
    const auto* s = node_->as_string();
    if (!s) return fail("expected a string, was " + type_name(*node_) + " " + describe(*node_));
    if (!field.allowed.empty()) {
      bool ok = false;
      std::string list;
      for (const auto& a : field.allowed) {
        ok = ok || a == s->get();
        list += (list.empty() ? "\"" : ", \"") + a + "\"";
      }
      if (!ok) return fail("expected one of " + list + ", was " + describe(*node_));
    }
    return ConfigValue{s->get()};
  }

  bool check_range(const ConfigField& field, Decimal value, const std::string& shown) {
    if (field.minimum && value < *field.minimum) {
      fail("expected a value >= " + field.minimum->to_string() + ", was " + shown);
      return false;
    }
    if (field.maximum && value > *field.maximum) {
      fail("expected a value <= " + field.maximum->to_string() + ", was " + shown);
      return false;
    }
    return true;
  }

  std::optional<ConfigValue> read_integer(const ConfigField& field) {
    const auto* i = node_->as_integer();
    if (!i) return fail("expected an integer, was " + type_name(*node_) + " " + describe(*node_));
    const std::int64_t v = i->get();
    // Bounds are decimals; compare through a decimal only when the integer fits one.
    if (v > -90'000'000'000 && v < 90'000'000'000) {
      if (!check_range(field, Decimal::from_int(v), std::to_string(v))) return std::nullopt;
    } else if (field.minimum || field.maximum) {
      return fail("expected a value within the allowed range, was " + std::to_string(v));
    }
    return ConfigValue{v};
  }

  std::optional<ConfigValue> read_decimal(const ConfigField& field) {
    std::optional<Decimal> value;
    if (const auto* s = node_->as_string()) {
      value = Decimal::parse(s->get());
      if (!value) return fail("expected a decimal number with at most 8 fractional digits, was " + describe(*node_));
    } else if (const auto* i = node_->as_integer()) {
      if (i->get() <= -90'000'000'000 || i->get() >= 90'000'000'000) return fail("decimal out of range, was " + describe(*node_));
      value = Decimal::from_int(i->get());
    } else if (const auto* f = node_->as_floating_point()) {
      // A TOML float is a binary double; take its shortest decimal spelling (0.1 stays 0.1) and
      // apply the same rule as to strings (at most 8 fractional digits, nothing rounded).
      char buf[512];
      const auto res = std::to_chars(buf, buf + sizeof buf, f->get(), std::chars_format::fixed);
      if (res.ec == std::errc{}) value = Decimal::parse(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
      if (!value) return fail("expected a finite decimal number with at most 8 fractional digits, was " + describe(*node_));
    } else {
      return fail("expected a decimal number (a string like \"0.005\" or a number), was " + type_name(*node_));
    }
    if (!check_range(field, *value, value->to_string())) return std::nullopt;
    return ConfigValue{*value};
  }

  std::optional<ConfigValue> read_string_list() {
    const auto* arr = node_->as_array();
    if (!arr) return fail("expected an array of strings, was " + type_name(*node_) + " " + describe(*node_));
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const auto* s = (*arr)[i].as_string();
      if (!s) {
        issue(&(*arr)[i], path_ + "[" + std::to_string(i) + "]", "expected a string, was " + describe((*arr)[i]));
        ok = false;
      } else {
        out.push_back(s->get());
      }
    }
    if (!ok) return std::nullopt;
    return ConfigValue{std::move(out)};
  }

  std::optional<ConfigValue> read_string_map() {
    const auto* t = node_->as_table();
    if (!t) return fail("expected a table of strings (e.g. { SPY = \"spy.csv\" }), was " + type_name(*node_));
    sdk::StringMap out;
    bool ok = true;
    for (auto&& [k, v] : *t) {
      const auto* s = v.as_string();
      if (!s) {
        issue(&v, path_ + "." + std::string(k.str()), "expected a string, was " + describe(v));
        ok = false;
      } else {
        out.emplace(std::string(k.str()), s->get());
      }
    }
    if (!ok) return std::nullopt;
    return ConfigValue{std::move(out)};
  }

  std::optional<ConfigValue> read_secret() {
    const auto* s = node_->as_string();
    if (!s) return fail("expected a secret reference \"env:NAME\" or \"file:PATH\", was " + type_name(*node_));
    const std::string& ref = s->get();
    if (ref.rfind("env:", 0) == 0 && ref.size() > 4) {
      const std::string name = ref.substr(4);
      auto value = env_(name);
      if (!value || value->empty()) return fail("environment variable " + name + " is not set or empty");
      return ConfigValue{sdk::Secret(ref, *value)};
    }
    if (ref.rfind("file:", 0) == 0 && ref.size() > 5) {
      std::filesystem::path p(ref.substr(5));
      if (!p.is_absolute()) p = config_.base_dir / p;
      std::error_code ec;
      const auto size = std::filesystem::file_size(p, ec);
      if (ec) return fail("cannot read secret file " + p.string());
      if (size > kMaxSecretFileBytes)
        return fail("secret file " + p.string() + " is " + std::to_string(size) + " bytes, expected at most " +
                    std::to_string(kMaxSecretFileBytes));
      std::ifstream in(p, std::ios::binary);
      if (!in) return fail("cannot read secret file " + p.string());
      std::ostringstream buf;
      buf << in.rdbuf();
      std::string value = buf.str();
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      if (value.empty()) return fail("secret file " + p.string() + " is empty");
      return ConfigValue{sdk::Secret(ref, std::move(value))};
    }
    // Never echo the literal: it may be the secret itself.
    return fail("secrets must be references, \"env:NAME\" or \"file:PATH\"; a literal value was given (not shown)");
  }

  const PluginEntry& entry_;
  const Config& config_;
  const EnvLookup& env_;
  ConfigIssues& issues_;
  std::string path_;
  const toml::node* node_ = nullptr;
};

}  // namespace

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

std::optional<sdk::ConfigView> validate_plugin_config(const PluginEntry& entry, const sdk::ConfigSchema& schema,
                                                      const Config& config, const EnvLookup& env,
                                                      ConfigIssues& issues) {
  const std::size_t before = issues.size();
  FieldReader reader(entry, config, env, issues);
  std::map<std::string, ConfigValue> values;
  static const toml::table kEmpty;
  const toml::table& table = entry.config ? *entry.config : kEmpty;
  for (auto&& [key, node] : table) {
    if (!schema.find(key.str())) {
      std::string list;
      for (const auto& f : schema.fields) list += (list.empty() ? "" : ", ") + f.key;
      reader.issue(&node, entry.key_path() + ".config." + std::string(key.str()),
                   "unknown key; this plugin accepts: " + (list.empty() ? std::string("no keys") : list));
    }
  }
  for (const auto& field : schema.fields) {
    if (const toml::node* node = table.get(field.key)) {
      if (auto v = reader.read(field, *node)) values.emplace(field.key, std::move(*v));
    } else if (field.required) {
      reader.issue(nullptr, entry.key_path() + ".config." + field.key,
                   "missing required key (" + std::string(sdk::to_string(field.type)) + ": " + field.description + ")");
    } else if (field.default_value) {
      if (default_matches(field))
        values.emplace(field.key, *field.default_value);
      else
        reader.issue(nullptr, entry.key_path() + ".config." + field.key,
                     "the plugin's schema declares a default of the wrong type for this " +
                         std::string(sdk::to_string(field.type)) + " key (a plugin bug): set the key explicitly or fix the plugin");
    }
  }
  if (issues.size() != before) return std::nullopt;
  return sdk::ConfigView(entry.id, std::move(values), config.base_dir.string(), config.kernel.mode);
}

}  // namespace mercurio::kernel
