// SIGINT/SIGTERM set a flag; a second signal restores the default action so it terminates at once.
#include "retrain/core/signals.hpp"

#include <csignal>
#include <atomic>
#include <fmt/format.h>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

std::atomic<int> g_signal{0};

extern "C" void on_stop_signal(int sig) {
  g_signal.store(sig);
  std::signal(sig, SIG_DFL);
}

}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

bool stop_requested() { return g_signal.load() != 0; }

void throw_if_stop_requested(const char* where) {
  if (const int sig = g_signal.load())
    throw Interrupted(fmt::format("stopped by {} while {}", sig == SIGINT ? "SIGINT" : "SIGTERM", where));
}

void clear_stop_request() { g_signal.store(0); }

}  // namespace retrain
