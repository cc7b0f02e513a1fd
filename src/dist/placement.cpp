// placement_from: torchrun's variables first (torchrun may itself run under srun), then an srun step's.
#include "retrain/dist/placement.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

int integer(const EnvLookup& env, const std::string& name, int lo, int hi, const std::string& launcher) {
  const auto text = env(name);
  if (!text) throw UsageError(fmt::format("{} launch: {} is not set (expected an integer in [{}, {}])", launcher, name, lo, hi));
  int value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value < lo || value > hi)
    throw UsageError(fmt::format("{} launch: {}='{}' is not an integer in [{}, {}]", launcher, name, *text, lo, hi));
  return value;
}

void read_master(const EnvLookup& env, Placement& p) {
  const auto addr = env("MASTER_ADDR");
  if (!addr || addr->empty())
    throw UsageError(fmt::format("{} launch of {} processes: MASTER_ADDR is not set (the host of rank 0{})", p.launcher,
                                 p.world_size,
                                 p.launcher == "slurm" ? "; in the batch script: export MASTER_ADDR=$(scontrol show "
                                                         "hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)"
                                                       : ""));
  p.master_addr = *addr;
  if (env("MASTER_PORT")) p.master_port = integer(env, "MASTER_PORT", 1, 65535, p.launcher);
}

}  // namespace

Placement placement_from(const EnvLookup& env) {
  Placement p;
  if (env("WORLD_SIZE")) {
    p.launcher = "torchrun";
    p.world_size = integer(env, "WORLD_SIZE", 1, 1 << 20, p.launcher);
    p.rank = integer(env, "RANK", 0, p.world_size - 1, p.launcher);
    p.local_rank = env("LOCAL_RANK") ? integer(env, "LOCAL_RANK", 0, p.world_size - 1, p.launcher) : 0;
    const auto agent = env("TORCHELASTIC_USE_AGENT_STORE");
    p.agent_hosts_store = agent && (*agent == "True" || *agent == "true" || *agent == "1");
    if (env("TORCHELASTIC_RESTART_COUNT")) p.restart = integer(env, "TORCHELASTIC_RESTART_COUNT", 0, 1 << 20, p.launcher);
  } else if (env("SLURM_STEP_NUM_TASKS") && env("SLURM_PROCID")) {
    // An srun job step; the batch script itself also has SLURM_PROCID and SLURM_NTASKS but is one process.
    p.launcher = "slurm";
    p.world_size = integer(env, "SLURM_STEP_NUM_TASKS", 1, 1 << 20, p.launcher);
    p.rank = integer(env, "SLURM_PROCID", 0, p.world_size - 1, p.launcher);
    p.local_rank = env("SLURM_LOCALID") ? integer(env, "SLURM_LOCALID", 0, p.world_size - 1, p.launcher) : 0;
  } else {
    return p;
  }
  if (p.distributed()) read_master(env, p);
  return p;
}

int cuda_device_index(const Placement& placement, int visible_devices) {
  if (visible_devices < 1)
    throw UsageError(fmt::format("rank {} ({} launch): a CUDA run needs a visible GPU, but none is visible", placement.rank,
                                 placement.launcher));
  return placement.local_rank % visible_devices;
}

Placement placement_from_environment() {
  return placement_from([](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  });
}

}  // namespace retrain
