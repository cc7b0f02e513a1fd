// Work that must happen before any shared library initialises, so it runs from the executable's
// .preinit_array (the dynamic loader calls it after relocation, before LibTorch's and libgomp's
// initialisers): the stop handlers, so a SIGINT/SIGTERM during start-up still exits 130, and
// OpenMP's wait policy, which libgomp reads once when it loads.
#include <cstdlib>

#include "retrain/core/signals.hpp"

namespace {

void early_start(int, char**, char**) {
  retrain::install_stop_handlers();
  // Idle OpenMP threads sleep instead of spinning, so a run beside another CPU-bound process does not
  // burn the cores both need (measured by bench/share_machine.sh). The user's own setting wins.
  setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
}

__attribute__((section(".preinit_array"), used)) void (*const kEarlyStart)(int, char**, char**) = early_start;

}  // namespace
