#pragma once
// Where tests find the built binaries, the bundled plugins and the shared market data.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mercurio::test {

inline std::filesystem::path source_dir() { return MERCURIO_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return MERCURIO_BINARY_DIR; }
inline std::filesystem::path mercurio_exe() { return binary_dir() / "bin" / "mercurio"; }
inline std::filesystem::path plugin_dir() { return MERCURIO_PLUGIN_DIR; }
inline std::filesystem::path fixture_plugin_dir() { return MERCURIO_FIXTURE_PLUGIN_DIR; }

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

/// ../shared/data/market next to the checkout (or $MERCURIO_SHARED_DIR/data/market).
inline std::filesystem::path shared_market_dir() {
  if (const char* s = std::getenv("MERCURIO_SHARED_DIR")) return std::filesystem::path(s) / "data" / "market";
  return (source_dir().parent_path() / "shared" / "data" / "market").lexically_normal();
}

/// A fresh, empty scratch directory for one test.
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = binary_dir() / "test-scratch" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace mercurio::test

/// Skips the test when the shared market data is absent, except in CI where that is a failure.
#define MERCURIO_REQUIRE_SHARED_DATA(file)                                                              \
  do {                                                                                                  \
    const auto mercurio_shared_file = ::mercurio::test::shared_market_dir() / (file);                   \
    if (!std::filesystem::exists(mercurio_shared_file)) {                                               \
      if (::mercurio::test::running_in_ci()) {                                                          \
        FAIL() << "CI=true but the shared market data is missing: " << mercurio_shared_file;            \
      } else {                                                                                          \
        GTEST_SKIP() << "shared market data not found at " << mercurio_shared_file                      \
                     << " (set MERCURIO_SHARED_DIR); skipping";                                         \
      }                                                                                                 \
    }                                                                                                   \
  } while (0)
