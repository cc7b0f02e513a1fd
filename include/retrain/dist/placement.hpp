// Where this process sits among the processes of one run, read from its launcher's environment:
// torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; TORCHELASTIC_USE_AGENT_STORE when
// torchrun's agent hosts the store), an srun job step (SLURM_PROCID, SLURM_STEP_NUM_TASKS,
// SLURM_LOCALID; MASTER_ADDR and MASTER_PORT exported by the batch script) or scripts/launch_local.sh
// (torchrun's names). With none of these it is a single process, exactly as without a launcher.
#pragma once
#include <functional>
#include <optional>
#include <string>

namespace retrain {

struct Placement {
  int rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  bool agent_hosts_store = false;  // torchrun's agent runs the TCPStore: every rank, 0 too, is a client
  int restart = 0;                 // torchrun's restart count (TORCHELASTIC_RESTART_COUNT): keys of an
                                   // earlier attempt in the agent's store must not be reused
  std::string launcher = "none";   // torchrun | slurm | none
  bool distributed() const { return world_size > 1; }
};

// A variable of the environment, or nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// UsageError naming the variable and its value when one is malformed or out of range (RANK >=
// WORLD_SIZE, a port outside 1..65535, an srun step of several tasks without MASTER_ADDR).
Placement placement_from(const EnvLookup& env);
Placement placement_from_environment();

// The index of this process's GPU among the `visible_devices` it sees: its local rank modulo their
// number. One visible device (Slurm binding a GPU per task, CUDA_VISIBLE_DEVICES set per rank) is
// device 0 whatever SLURM_LOCALID says; eight local ranks on eight visible GPUs take one each.
// UsageError when no device is visible.
int cuda_device_index(const Placement& placement, int visible_devices);

}  // namespace retrain
