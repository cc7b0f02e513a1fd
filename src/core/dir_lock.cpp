// flock(2) on <dir>/.lock. The pid written into the file is only for the message of a refused process.
#include "retrain/core/dir_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "retrain/core/errors.hpp"

namespace retrain {

namespace {

constexpr const char* kLockName = ".lock";

std::string holder_pid(int fd) {
  char buf[32] = {};
  const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

DirLock::DirLock(const std::filesystem::path& dir, const std::string& what) {
  const auto file = dir / kLockName;
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw UsageError(fmt::format("cannot open the lock file '{}' of {} '{}': {}", file.string(), what, dir.string(),
                                 std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string pid = holder_pid(fd_);
    ::close(fd_);
    if (err == EWOULDBLOCK)
      throw UsageError(fmt::format("{} '{}' is in use by process {} (another retrain works in it); wait for it to "
                                   "finish or stop it, then try again", what, dir.string(), pid));
    throw UsageError(fmt::format("cannot lock {} '{}' ({}): {}", what, dir.string(), file.string(), std::strerror(err)));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    spdlog::warn("locked '{}' but could not write this process's pid into it: {}", file.string(), std::strerror(errno));
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace retrain
