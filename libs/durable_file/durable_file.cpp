#include "mercurio/durable_file/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

namespace mercurio::durable_file {

std::string write_durably(const std::filesystem::path& path, const std::string& text) {
  static std::atomic<unsigned> counter{0};
  const auto tmp = path.parent_path() / (path.filename().string() + ".tmp" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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
  const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return "cannot open directory " + path.parent_path().string() + " to sync it";
  const bool synced = ::fsync(dfd) == 0;
  ::close(dfd);
  return synced ? std::string() : "cannot sync directory " + path.parent_path().string();
}

}  // namespace mercurio::durable_file
