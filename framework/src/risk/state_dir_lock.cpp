#include "risk/state_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace mercurio::kernel {

namespace {

// The holder's process id as it wrote it (empty when the file holds none).
std::string holder_of(int fd) {
  char text[32] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return {};
  std::string pid(text, static_cast<std::size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.find_first_not_of("0123456789") == std::string::npos ? pid : std::string();
}

}  // namespace

StateDirLock::StateDirLock(const std::filesystem::path& state_dir) {
  const std::filesystem::path file = state_dir / "lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);  // nobody else may hold it
  if (fd_ < 0)
    throw std::runtime_error("cannot open " + file.string() + " to lock the state directory: " +
                             std::generic_category().message(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = holder_of(fd_);
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK)
      throw std::runtime_error(
          "another mercurio process" + (holder.empty() ? std::string() : " (pid " + holder + ")") +
          " is trading on state_dir " + state_dir.string() +
          ": one process per state directory (stop it first, or give this deployment its own)");
    throw std::runtime_error("cannot lock " + file.string() + ": " +
                             std::generic_category().message(error));
  }
  // A file an older version made readable by others: nobody else may take it.
  [[maybe_unused]] const int restricted = ::fchmod(fd_, 0600);
  // Who holds it, for the message above: informative only, so a failure here changes nothing.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace mercurio::kernel
