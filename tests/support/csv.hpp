#pragma once
// Reading the CSV files Mercurio writes and reads (no quoting), for assertions in tests.

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace mercurio::test {

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
  return fields;
}

/// Every row after the header, split into fields.
inline std::vector<std::vector<std::string>> read_csv_rows(const std::filesystem::path& file) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_file(file));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) rows.push_back(split_csv_line(line));
  return rows;
}

}  // namespace mercurio::test
