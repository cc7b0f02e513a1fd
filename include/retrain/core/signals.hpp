// Cooperative stopping on SIGINT/SIGTERM: the handler only sets a flag; long loops poll it at safe
// points and throw Interrupted, so nothing is left half-written.
#pragma once

namespace retrain {

void install_stop_handlers();
bool stop_requested();
// Throws Interrupted("stopped by signal while <where>") when a stop was requested.
void throw_if_stop_requested(const char* where);
// For tests: forget an earlier request.
void clear_stop_request();

}  // namespace retrain
