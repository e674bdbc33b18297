#include "config.hpp"

#include <stdexcept>
#include <string>

namespace mercurio::notifiers::log {

std::string_view to_string(Format format) noexcept {
  return format == Format::Text ? "text" : "json";
}

sdk::ConfigSchema log_notifier_config_schema() {
  sdk::ConfigSchema schema;
  schema.add(sdk::ConfigField::string("format",
                                      "line format: text (for people) or json (for log shippers)")
                 .one_of({"text", "json"})
                 .defaults("text"));
  return schema;
}

Settings parse_settings(const sdk::ConfigView& config) {
  Settings settings;
  if (config.has("format")) {
    const std::string& value = config.get_string("format");
    if (value == "text")
      settings.format = Format::Text;
    else if (value == "json")
      settings.format = Format::Json;
    else
      throw std::invalid_argument("config key 'format': expected \"text\" or \"json\", was \"" +
                                  value + "\"");
  }
  return settings;
}

}  // namespace mercurio::notifiers::log
