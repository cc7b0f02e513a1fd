// Logging setup: spdlog console sink, plus a file sink (log.txt of the run directory) once a run starts.
#pragma once
#include <spdlog/spdlog.h>

#include <filesystem>

namespace retrain {

// Console logger; `quiet` shows warnings and errors only.
void init_logging(bool quiet);
// Sends the log also to `file` (appending, so a resumed run keeps its history); replaces the file of
// an earlier call, so each run of a sweep logs to its own log.txt.
void set_log_file(const std::filesystem::path& file);
// Whether standard output is a terminal (live progress bars) or a pipe/file (plain lines).
bool stdout_is_terminal();

}  // namespace retrain
