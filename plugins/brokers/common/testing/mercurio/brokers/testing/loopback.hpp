#pragma once
// Test helpers for broker plugins: free loopback ports, waiting for a port, child processes
// started and stopped by pid (never by name), and where the shared API specs are.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace mercurio::brokers::testing {

/// A port that was free on 127.0.0.1 a moment ago (the kernel picks it).
inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/getsockname on 127.0.0.1 failed");
  }
  const int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

/// True once something accepts TCP connections on 127.0.0.1:`port`.
inline bool port_accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

/// A child process started with posix_spawn, stdout+stderr to `log_file`. The destructor stops
/// it by its pid (SIGTERM, then SIGKILL) and reaps it with waitpid.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_file) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn " + argv[0] + " failed: " + std::to_string(rc));
  }
  ~ChildProcess() { stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// True while the child has not exited (reaps it when it has).
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }
  /// Waits for the child to exit by itself. Returns the exit code (128 + signal when killed), or
  /// -1 when it was not running.
  int wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  /// SIGTERM, up to 10 s for a clean exit, then SIGKILL. Returns the exit code (128 + signal
  /// when killed), or -1 when it was not running.
  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    bool reaped = false;
    for (int i = 0; i < 200 && !reaped; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) reaped = true;
      else std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

inline bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

/// ../shared/apis next to the checkout (or $MERCURIO_SHARED_DIR/apis).
inline std::filesystem::path shared_apis_dir() {
  if (const char* s = std::getenv("MERCURIO_SHARED_DIR")) return std::filesystem::path(s) / "apis";
  return (std::filesystem::path(MERCURIO_SOURCE_DIR).parent_path() / "shared" / "apis").lexically_normal();
}

inline std::filesystem::path prism_executable() {
  return std::filesystem::path(MERCURIO_SOURCE_DIR) / "tests" / "prism" / "node_modules" / ".bin" / "prism";
}

}  // namespace mercurio::brokers::testing

/// Skips when a needed test input is absent, except under CI=true where that is a failure.
#define MERCURIO_REQUIRE_TEST_INPUT(input_path, what)                                                     \
  do {                                                                                              \
    const std::filesystem::path mercurio_input = (input_path);                                            \
    if (!std::filesystem::exists(mercurio_input)) {                                                 \
      if (::mercurio::brokers::testing::running_in_ci()) {                                          \
        FAIL() << "CI=true but " << (what) << " is missing: " << mercurio_input;                    \
      } else {                                                                                      \
        GTEST_SKIP() << (what) << " not found at " << mercurio_input << "; skipping";               \
      }                                                                                             \
    }                                                                                               \
  } while (0)
