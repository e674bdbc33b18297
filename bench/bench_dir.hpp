#pragma once
// Where the benchmarks that write to disk (the journal, the paper account) put their files: the
// directory MERCURIO_BENCH_DIR names (the harness points it at its work directory, the disk a
// deployment would use), else the system temp directory.

#include <cstdlib>
#include <filesystem>

namespace mercurio::bench {

inline std::filesystem::path bench_dir() {
  const char* dir = std::getenv("MERCURIO_BENCH_DIR");
  return dir && *dir ? std::filesystem::path(dir) : std::filesystem::temp_directory_path();
}

}  // namespace mercurio::bench
