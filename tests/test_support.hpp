// Helpers shared by the test suites: scratch directories, running the retrain binary, reading files.
#pragma once
#include <optional>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "test_paths.hpp"

namespace retrain::test {

// A fresh empty directory under the system temp dir, removed by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct ProcessResult {
  int exit_code;       // -signal when killed by a signal
  std::string output;  // stdout and stderr together
};

// Runs `program` with `args` (no shell, OMP_NUM_THREADS=1) and waits for it; in `cwd` when given.
ProcessResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::filesystem::path& cwd = {});
// The same for build/retrain.
ProcessResult run_retrain(const std::vector<std::string>& args, const std::filesystem::path& cwd = {});

// Starts `program` (build/retrain) in the background with one OpenMP thread; returns its pid. Output
// goes to `log`.
int spawn_program(const std::string& program, const std::vector<std::string>& args, const std::filesystem::path& log,
                  const std::filesystem::path& cwd = {});
int spawn_retrain(const std::vector<std::string>& args, const std::filesystem::path& log,
                  const std::filesystem::path& cwd = {});
// Waits for `pid`; returns its exit code, or -signal when it was killed.
int wait_for(int pid);
// The same, but after `limit` sends SIGTERM (then SIGKILL 10 s later) and returns nullopt: for
// launchers (torchrun) whose children could hang a test.
std::optional<int> wait_for(int pid, std::chrono::seconds limit);

// Writes `text` to `path` (creating parent directories).
void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

// metrics.jsonl lines with the timing key "wall_s" removed (timings differ between runs).
std::vector<std::string> metrics_without_timing(const std::filesystem::path& metrics_jsonl);

// The message of the `E` that `f` throws, or "" when it throws none.
template <class E, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace retrain::test
