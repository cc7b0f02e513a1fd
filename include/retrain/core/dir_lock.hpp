// An advisory lock on a directory (flock on <dir>/.lock, which holds the owner's pid): one process at a
// time works in a run directory, and the OS releases the lock when its holder dies, however it dies.
#pragma once
#include <filesystem>
#include <string>

namespace retrain {

class DirLock {
 public:
  // Takes the lock or throws UsageError naming the directory and the pid that holds it. `what` names the
  // directory in the message (e.g. "run directory").
  DirLock(const std::filesystem::path& dir, const std::string& what);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace retrain
