// Runs a piece of test code as the ranks of a process group on loopback: n forked processes, each
// joining a World (Gloo) through a TCPStore on a free port. Fork before the parent has used torch's
// thread pools (start of a test), so each child starts single-threaded.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <vector>

#include "retrain/dist/world.hpp"

namespace retrain::test {

// A TCP port nobody listens on now (the kernel's choice for port 0).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("free_port: no socket");
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Each rank runs `body(world)` (joined on `device`: kCUDA gives NCCL and a GPU per rank); its exit code is what body returns, or 99 when it throws (the message
// goes to stderr). Returns the exit codes by rank, -signal for a rank killed by a signal.
inline std::vector<int> run_ranks(int n, const std::function<int(const World&)>& body,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(60),
                                  torch::Device device = torch::kCPU) {
  Placement p;
  p.world_size = n;
  p.master_port = free_port();
  p.launcher = "test";
  std::vector<pid_t> pids;
  for (int r = 0; r < n; ++r) {
    p.rank = p.local_rank = r;
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("run_ranks: fork failed");
    if (pid == 0) {
      int code = 99;
      try {
        code = body(World::join(p, device, timeout));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "rank %d: %s\n", r, e.what());
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    pids.push_back(pid);
  }
  std::vector<int> codes;
  for (const pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
  }
  return codes;
}

// What `probe` returns, computed in a child process: for facts (the number of GPUs) whose query would
// initialise CUDA in this process, which forked ranks could then no longer use.
inline int in_child(const std::function<int()>& probe) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("in_child: fork failed");
  if (pid == 0) ::_exit(probe());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace retrain::test
