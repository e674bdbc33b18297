#include "mercurio/durable_file/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

namespace mercurio::durable_file {

namespace {

std::string sync_directory(const std::filesystem::path& dir) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return "cannot open directory " + dir.string() + " to sync it";
  const bool synced = ::fsync(dfd) == 0;
  ::close(dfd);
  return synced ? std::string() : "cannot sync directory " + dir.string();
}

}  // namespace

std::string write_durably(const std::filesystem::path& path, const std::string& text,
                          unsigned mode) {
  static std::atomic<unsigned> counter{0};
  const auto tmp = path.parent_path() / (path.filename().string() + ".tmp" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++));
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return "cannot create " + tmp.string() + ": " + std::generic_category().message(errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      const std::string err = std::generic_category().message(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return "cannot write " + tmp.string() + ": " + err;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return "cannot sync " + tmp.string() + ": " + std::generic_category().message(errno);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::generic_category().message(errno);
    ::unlink(tmp.c_str());
    return "cannot rename " + tmp.string() + " to " + path.string() + ": " + err;
  }
  return sync_directory(path.parent_path());
}

std::string append_durably(const std::filesystem::path& path, std::string_view text) {
  bool created = false;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    created = true;
  }
  if (fd < 0)
    return "cannot open " + path.string() + " to append: " + std::generic_category().message(errno);
  const off_t before = ::lseek(fd, 0, SEEK_END);
  std::size_t done = 0;
  std::string error;
  while (before >= 0 && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot append to " + path.string() + ": " + std::generic_category().message(errno);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (before < 0)
    error =
        "cannot find the end of " + path.string() + ": " + std::generic_category().message(errno);
  if (error.empty() && ::fdatasync(fd) != 0)
    error = "cannot sync " + path.string() + ": " + std::generic_category().message(errno);
  // Cut a part-written (or unsynced) tail off: the next append must follow a whole one.
  if (!error.empty() && before >= 0 && ::ftruncate(fd, before) != 0)
    error += "; cutting it back to " + std::to_string(before) +
             " bytes failed too: " + std::generic_category().message(errno);
  ::close(fd);
  if (error.empty() && created) error = sync_directory(path.parent_path());
  return error;
}

}  // namespace mercurio::durable_file
