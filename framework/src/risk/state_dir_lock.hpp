#pragma once
// One trading process per state directory. A second `mercurio run` on the same state_dir would
// take the operator commands meant for the first (a halt applied by one, never seen by the other),
// overwrite its saved state (a tripped breaker lost at the next restart), and, sharing its
// journal, drop its fills as already journaled. The lock is an flock on `state_dir/lock`: the
// kernel releases it when the process ends, kill -9 included, so a stale lock cannot outlive it.

#include <filesystem>

namespace mercurio::kernel {

class StateDirLock {
 public:
  /// Takes the lock of `state_dir` (which must exist) and writes this process's id into the lock
  /// file. Throws std::runtime_error naming the directory, and the holder's process id when the
  /// file tells it, when another process holds it or the file cannot be opened.
  explicit StateDirLock(const std::filesystem::path& state_dir);
  ~StateDirLock();
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace mercurio::kernel
