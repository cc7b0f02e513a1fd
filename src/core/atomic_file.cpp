// Atomic file replacement with POSIX calls (open/write/fsync/rename) so durability is explicit.
#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace retrain {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw RuntimeFailure(fmt::format("{} '{}': {}", what, path.string(), std::strerror(errno)));
}

// Writes all of `bytes` to `fd` (retrying interrupted and short writes); false on an error (errno set).
bool write_all(int fd, std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

void fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail("cannot open directory", dir);
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes) {
  const auto tmp = std::filesystem::path(path.string() + fmt::format(".tmp{}", ::getpid()));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", tmp);
  if (!write_all(fd, bytes)) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail("cannot write", tmp);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    fail("cannot flush", tmp);
  }
  rename_durable(tmp, path);
}

void append_file_durable(const std::filesystem::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot open", path);
  if (!write_all(fd, bytes)) {
    ::close(fd);
    fail("cannot append to", path);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) fail("cannot flush", path);
}

void rename_durable(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) fail(fmt::format("cannot rename '{}' to", from.string()), to);
  fsync_directory(to.parent_path());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RuntimeFailure(fmt::format("cannot open '{}': {}", path.string(), std::strerror(errno)));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace retrain
