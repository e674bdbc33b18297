#include "config/toml_helpers.hpp"

#include <sstream>

namespace mercurio::kernel::toml_helpers {

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

std::string describe(const toml::node& node) {
  std::ostringstream out;
  if (const auto* s = node.as_string()) {
    std::string v = s->get();
    if (v.size() > 60) v = v.substr(0, 57) + "...";
    return '"' + v + '"';
  }
  if (node.is_table()) return "a table";
  if (node.is_array()) return "an array";
  node.visit([&out](const auto& n) { out << n; });
  std::string v = out.str();
  if (v.size() > 60) v = v.substr(0, 57) + "...";
  return v;
}

}  // namespace mercurio::kernel::toml_helpers
