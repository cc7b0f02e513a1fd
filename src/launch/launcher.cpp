// build/retrain: a small front door with no LibTorch in it. Loading and relocating LibTorch takes tens
// of milliseconds before any code of the real program (libexec/retrain) can run, and libgomp fixes its
// wait policy from the environment while it loads. So this launcher
//   1. blocks SIGINT and SIGTERM: a stop signal during start-up stays pending across the exec, and the
//      real program takes it the moment it installs its handlers (cli/early_start.cpp), exiting 130;
//   2. sets libgomp's spin count, unless the user chose an OpenMP wait policy: threads that finish a
//      parallel region spin only briefly before sleeping, so a run beside other CPU-bound processes is
//      not stalled by its own spinning threads (docs/benchmarks/share_machine.md measures the choice);
//   3. executes libexec/retrain next to this file with the same arguments.
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// Iterations a finished OpenMP thread spins before it sleeps (libgomp's own default is 300000).
constexpr const char* kSpinCount = "2000";

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "retrain: error: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

std::string own_directory() {
  char path[PATH_MAX];
  const auto n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n < 0) fail("cannot find the retrain executable (readlink /proc/self/exe)");
  std::string exe(path, static_cast<std::size_t>(n));
  return exe.substr(0, exe.rfind('/'));
}

}  // namespace

int main(int, char** argv) {
  sigset_t stops;
  sigemptyset(&stops);
  sigaddset(&stops, SIGINT);
  sigaddset(&stops, SIGTERM);
  sigprocmask(SIG_BLOCK, &stops, nullptr);
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) setenv("GOMP_SPINCOUNT", kSpinCount, 0);
  const std::string program = own_directory() + "/libexec/retrain";
  ::execv(program.c_str(), argv);
  fail("cannot start " + program);
}
