// run_in_child_processes: a small fork/exec pool over run directories, with signal forwarding.
#include "retrain/report/child_runs.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "retrain/core/errors.hpp"
#include "retrain/core/signals.hpp"

namespace retrain {

namespace {

struct Running {
  std::size_t index;  // into runs
  int slot;           // 0 .. jobs - 1: which GPU and thread share it holds
};

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("signal {}", WTERMSIG(status));
  return fmt::format("status {}", status);
}

// Forks `executable resume DIR -q` with the slot's environment; returns the child's pid.
pid_t start_child(const ChildRun& run, const std::filesystem::path& executable, int threads, const std::string& gpu) {
  const std::string exe = executable.string(), dir = run.dir.string();
  const pid_t pid = fork();
  if (pid < 0) throw RuntimeFailure(fmt::format("sweep: fork failed for {}", dir));
  if (pid == 0) {
    setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);  // idle threads sleep: siblings share the cores (share_machine.md)
    if (!gpu.empty()) setenv("CUDA_VISIBLE_DEVICES", gpu.c_str(), 1);
    execl(exe.c_str(), exe.c_str(), "resume", dir.c_str(), "-q", static_cast<char*>(nullptr));
    _exit(127);  // exec failed: the parent reports exit code 127
  }
  return pid;
}

}  // namespace

std::vector<std::string> visible_gpus(int count) {
  std::vector<std::string> ids;
  if (const char* env = std::getenv("CUDA_VISIBLE_DEVICES"); env && *env) {
    std::istringstream in(env);
    for (std::string id; std::getline(in, id, ',');)
      if (!id.empty()) ids.push_back(id);
    if (static_cast<int>(ids.size()) > count) ids.resize(static_cast<std::size_t>(std::max(count, 0)));
    return ids;
  }
  for (int i = 0; i < count; ++i) ids.push_back(std::to_string(i));
  return ids;
}

std::vector<ChildRun> run_in_child_processes(const std::vector<ChildRun>& runs, int jobs,
                                             const std::filesystem::path& executable,
                                             const std::vector<std::string>& gpus) {
  if (jobs < 1) throw UsageError(fmt::format("sweep: --jobs {} is invalid; expected >= 1", jobs));
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::max(1, hardware / jobs);
  std::map<pid_t, Running> running;
  std::vector<int> free_slots;
  for (int s = jobs - 1; s >= 0; --s) free_slots.push_back(s);
  std::vector<ChildRun> failed;
  std::size_t next = 0, done = 0;
  bool stopping = false;
  while (done < runs.size() && !(stopping && running.empty())) {
    while (!stopping && next < runs.size() && !free_slots.empty()) {
      const int slot = free_slots.back();
      free_slots.pop_back();
      const std::string gpu = gpus.empty() ? "" : gpus[static_cast<std::size_t>(slot) % gpus.size()];
      const pid_t pid = start_child(runs[next], executable, threads, gpu);
      spdlog::info("sweep {}/{}: {} started (pid {}, {} threads{}) -> {}", next + 1, runs.size(), runs[next].label, pid,
                   threads, gpu.empty() ? "" : ", GPU " + gpu, runs[next].dir.string());
      running[pid] = {next++, slot};
    }
    int status = 0;
    pid_t pid = 0;  // only our own children: another part of the process may have some of its own
    for (const auto& entry : running)
      if (waitpid(entry.first, &status, WNOHANG) == entry.first) {
        pid = entry.first;
        break;
      }
    if (pid > 0) {
      const Running r = running[pid];
      running.erase(pid);
      free_slots.push_back(r.slot);
      ++done;
      const auto& run = runs[r.index];
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        spdlog::info("sweep: {} finished ({}/{} done)", run.label, done, runs.size());
      } else if (stopping) {
        spdlog::warn("sweep: {} stopped ({}); `retrain sweep` again resumes it", run.label, describe_status(status));
      } else {
        spdlog::error("sweep: {} failed ({}); see {}", run.label, describe_status(status), (run.dir / "log.txt").string());
        failed.push_back(run);
      }
      continue;
    }
    if (stop_requested() && !stopping) {
      stopping = true;
      spdlog::warn("sweep: stop requested; passing SIGTERM to {} running run(s)", running.size());
      for (const auto& [child, r] : running) kill(child, SIGTERM);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (stopping) throw Interrupted("stopped by signal while running the sweep's runs");
  return failed;
}

}  // namespace retrain
