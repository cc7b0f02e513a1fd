// placement_from: torchrun's and srun's variables, a batch script that is one process, and errors
// that name the variable.
#include <gtest/gtest.h>

#include <map>

#include "retrain/core/errors.hpp"
#include "retrain/dist/placement.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

Placement from(const std::map<std::string, std::string>& vars) {
  return placement_from([&](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
}

std::string error_of(const std::map<std::string, std::string>& vars) {
  return test::message_of<UsageError>([&] { from(vars); });
}

TEST(Placement, NoLauncherIsOneProcess) {
  const auto p = from({});
  EXPECT_EQ(p.world_size, 1);
  EXPECT_EQ(p.rank, 0);
  EXPECT_FALSE(p.distributed());
  EXPECT_EQ(p.launcher, "none");
}

TEST(Placement, Torchrun) {
  const auto p = from({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"},
                       {"MASTER_PORT", "29400"}, {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                       {"TORCHELASTIC_RESTART_COUNT", "2"}});
  EXPECT_EQ(p.launcher, "torchrun");
  EXPECT_EQ(p.rank, 3);
  EXPECT_EQ(p.world_size, 8);
  EXPECT_EQ(p.local_rank, 1);
  EXPECT_EQ(p.master_addr, "node7");
  EXPECT_EQ(p.master_port, 29400);
  EXPECT_TRUE(p.agent_hosts_store);
  EXPECT_EQ(p.restart, 2);
}

TEST(Placement, AnSrunStep) {
  const auto p = from({{"SLURM_PROCID", "5"}, {"SLURM_STEP_NUM_TASKS", "8"}, {"SLURM_NTASKS", "8"},
                       {"SLURM_LOCALID", "1"}, {"MASTER_ADDR", "gpu012"}});
  EXPECT_EQ(p.launcher, "slurm");
  EXPECT_EQ(p.rank, 5);
  EXPECT_EQ(p.world_size, 8);
  EXPECT_EQ(p.local_rank, 1);
  EXPECT_EQ(p.master_port, 29500);
  EXPECT_FALSE(p.agent_hosts_store);
}

TEST(Placement, TheBatchScriptItselfIsOneProcess) {
  EXPECT_FALSE(from({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "8"}}).distributed());
}

// The GPU of each rank: one per local rank when each sees them all, device 0 when a launcher binds one
// GPU per task (Slurm's --gpus-per-task: SLURM_LOCALID 3 sees one device, which is cuda:0).
TEST(Placement, CudaDeviceFollowsTheVisibleDevices) {
  for (const int local : {0, 1, 3, 7}) {
    Placement p = from({{"SLURM_PROCID", std::to_string(local)}, {"SLURM_STEP_NUM_TASKS", "8"},
                        {"SLURM_LOCALID", std::to_string(local)}, {"MASTER_ADDR", "gpu012"}});
    EXPECT_EQ(cuda_device_index(p, 1), 0) << "local rank " << local << ", one visible GPU";
    EXPECT_EQ(cuda_device_index(p, 8), local) << "local rank " << local << ", eight visible GPUs";
    EXPECT_EQ(cuda_device_index(p, 2), local % 2) << "local rank " << local << ", two visible GPUs";
  }
  EXPECT_EQ(cuda_device_index(Placement{}, 1), 0);  // one process
  EXPECT_EQ(test::message_of<UsageError>([] { cuda_device_index(from({{"RANK", "1"}, {"WORLD_SIZE", "2"},
                                                                          {"MASTER_ADDR", "a"}}), 0); }),
            "rank 1 (torchrun launch): a CUDA run needs a visible GPU, but none is visible");
}

TEST(Placement, ErrorsNameTheVariable) {
  EXPECT_EQ(error_of({{"RANK", "8"}, {"WORLD_SIZE", "8"}, {"MASTER_ADDR", "a"}}),
            "torchrun launch: RANK='8' is not an integer in [0, 7]");
  EXPECT_EQ(error_of({{"RANK", "x"}, {"WORLD_SIZE", "2"}}), "torchrun launch: RANK='x' is not an integer in [0, 1]");
  EXPECT_EQ(error_of({{"WORLD_SIZE", "2"}}), "torchrun launch: RANK is not set (expected an integer in [0, 1])");
  EXPECT_EQ(error_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "70000"}}),
            "torchrun launch: MASTER_PORT='70000' is not an integer in [1, 65535]");
  EXPECT_TRUE(test::contains(error_of({{"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "4"}}),
                             "slurm launch of 4 processes: MASTER_ADDR is not set"));
}

}  // namespace
}  // namespace retrain
