// Test helpers: temp dirs, fork/exec of the retrain binary, file I/O.
#include "test_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace retrain::test {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("retrain_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

int spawn_program(const std::string& program, const std::vector<std::string>& args, const fs::path& log,
                  const fs::path& cwd) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    // One intra-op thread: ctest runs two tests at once on two cores, and two multi-threaded torch
    // processes spinning in OpenMP barriers on two cores slow each other down by 10-100x.
    ::setenv("OMP_NUM_THREADS", "1", 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int spawn_retrain(const std::vector<std::string>& args, const fs::path& log, const fs::path& cwd) {
  return spawn_program(kRetrainExe, args, log, cwd);
}

int wait_for(int pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

std::optional<int> wait_for(int pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGTERM);
      for (int k = 0; k < 100 && ::waitpid(pid, &status, WNOHANG) == 0; ++k) ::usleep(100000);
      if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
      }
      return std::nullopt;
    }
    ::usleep(20000);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

ProcessResult run_program(const std::string& program, const std::vector<std::string>& args, const fs::path& cwd) {
  ScratchDir scratch;
  const auto log = scratch / "output.txt";
  const int code = wait_for(spawn_program(program, args, log, cwd));
  return {code, read_text(log)};
}

ProcessResult run_retrain(const std::vector<std::string>& args, const fs::path& cwd) {
  return run_program(kRetrainExe, args, cwd);
}

void write_text(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> metrics_without_timing(const fs::path& metrics_jsonl) {
  std::vector<std::string> out;
  std::istringstream in(read_text(metrics_jsonl));
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    j.erase("wall_s");
    out.push_back(j.dump());
  }
  return out;
}

}  // namespace retrain::test
