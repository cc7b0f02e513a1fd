// The stop handlers, installed before any shared library initialises: this runs from the executable's
// .preinit_array (the dynamic loader calls it after relocation, before LibTorch's initialisers). The
// launcher (launch/launcher.cpp) blocked SIGINT and SIGTERM before it executed this program, so a stop
// signal sent during the loading stayed pending; unblocking them here, after the handlers exist,
// delivers it to the handler, and the run stops with 130 as it would at any later moment.
#include <signal.h>

#include "retrain/core/signals.hpp"

namespace {

void early_start(int, char**, char**) {
  retrain::install_stop_handlers();
  sigset_t stops;
  sigemptyset(&stops);
  sigaddset(&stops, SIGINT);
  sigaddset(&stops, SIGTERM);
  sigprocmask(SIG_UNBLOCK, &stops, nullptr);
}

__attribute__((section(".preinit_array"), used)) void (*const kEarlyStart)(int, char**, char**) = early_start;

}  // namespace
