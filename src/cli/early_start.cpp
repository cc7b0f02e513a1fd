// The stop handlers, installed before any shared library initialises: this runs from the executable's
// .preinit_array (the dynamic loader calls it after relocation, before LibTorch's initialisers), so a
// SIGINT/SIGTERM during start-up still exits 130 instead of killing the process.
#include "retrain/core/signals.hpp"

namespace {

void early_start(int, char**, char**) { retrain::install_stop_handlers(); }

__attribute__((section(".preinit_array"), used)) void (*const kEarlyStart)(int, char**, char**) = early_start;

}  // namespace
