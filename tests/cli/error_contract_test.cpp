// The error contract as a user meets it: every reader refuses a damaged checkpoint with one line that
// names it (exit 2) and writes nothing; a run another process works in is refused naming its pid;
// SIGTERM during start-up exits 130.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "retrain/core/dir_lock.hpp"
#include "retrain/core/errors.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

constexpr const char* kToyConfig =
    "seed: 7\ndevice: cpu\ndata: {source: toy2d, name: 8gaussians, n: 200}\nlearner: {type: diffusion}\n"
    "model: {width: 16, depth: 2, embedding: positional}\nmethod: {type: edm, steps: 4, sample_batch: 16}\n"
    "train: {lr: 0.002, batch: 100}\ngen0: {kimg: 0.2}\neval: {num_samples: 50}\n";

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

class ErrorContract : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir;
    test::write_text(*dir_ / "toy.yaml", kToyConfig);
    const auto trained = run_retrain({"train", "--config", path("toy.yaml"), "--out", path("runs"), "--quiet"});
    ASSERT_EQ(trained.exit_code, 0) << trained.output;
    const auto sampled = run_retrain({"sample", path("runs/toy/gen_0000"), "--seeds", "0-7", "--out-dir",
                                      path("samples"), "--quiet"});
    ASSERT_EQ(sampled.exit_code, 0) << sampled.output;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static test::ScratchDir* dir_;
};
test::ScratchDir* ErrorContract::dir_ = nullptr;

TEST_F(ErrorContract, EveryCheckpointReaderRefusesADamagedCheckpoint) {
  struct Damage {
    const char* name;
    void (*apply)(const fs::path& checkpoint);
  };
  const Damage damages[] = {
      {"a flipped byte", [](const fs::path& c) {
         std::string bytes = test::read_text(c / "ema.safetensors");
         bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
         test::write_text(c / "ema.safetensors", bytes);
       }},
      {"a truncation", [](const fs::path& c) { fs::resize_file(c / "model.safetensors", 100); }},
      {"an unlisted file", [](const fs::path& c) { test::write_text(c / "notes.txt", "added later"); }},
  };
  for (const auto& damage : damages) {
    const fs::path checkpoint = *dir_ / "damaged";
    fs::remove_all(checkpoint);
    fs::copy(*dir_ / "runs/toy/gen_0000", checkpoint, fs::copy_options::recursive);
    damage.apply(checkpoint);
    const fs::path out = *dir_ / "out";
    const std::vector<std::vector<std::string>> readers = {
        {"sample", checkpoint.string(), "--seeds", "0-3", "--out-dir", out.string()},
        {"eval", checkpoint.string(), "--config", path("toy.yaml"), "--out-dir", out.string()},
        {"metrics", path("samples/samples.npy"), checkpoint.string(), "--config", path("toy.yaml"), "--max", "8",
         "--out", (out / "m.json").string()},
        {"train", "--config", path("toy.yaml"), "--out", out.string(), "--set", "gen0.checkpoint=" + checkpoint.string()},
    };
    for (auto args : readers) {
      args.push_back("--quiet");
      const auto r = run_retrain(args);
      const std::string what = std::string(damage.name) + ", retrain " + args[0];
      EXPECT_EQ(r.exit_code, 2) << what << ": " << r.output;
      EXPECT_EQ(lines(r.output), 1u) << what << ": " << r.output;
      EXPECT_TRUE(test::contains(r.output, "retrain: error: ") && test::contains(r.output, checkpoint.string()) &&
                  test::contains(r.output, "integrity check"))
          << what << ": " << r.output;
      EXPECT_FALSE(fs::exists(out / "grid.png") || fs::exists(out / "metrics.json") || fs::exists(out / "m.json"))
          << what << " wrote results from a damaged checkpoint";
      fs::remove_all(out);
    }
  }
}

TEST_F(ErrorContract, ARunInUseIsRefusedNamingTheHoldersPid) {
  {
    const DirLock held(*dir_ / "runs/toy", "run directory");
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"resume", path("runs/toy")},
          std::vector<std::string>{"train", "--config", path("toy.yaml"), "--out", path("runs"), "--overwrite"}}) {
      const auto r = run_retrain(args);
      EXPECT_EQ(r.exit_code, 2) << r.output;
      EXPECT_EQ(lines(r.output), 1u) << r.output;
      EXPECT_TRUE(test::contains(r.output, "is in use by process " + std::to_string(::getpid()))) << r.output;
    }
    EXPECT_TRUE(fs::exists(*dir_ / "runs/toy/gen_0000")) << "--overwrite deleted a run in use";
    // In one process, too: a second lock on the same directory is refused.
    EXPECT_TRUE(test::contains(test::message_of<UsageError>([&] { DirLock again(*dir_ / "runs/toy", "run"); }),
                               "in use by process"));
  }
  const auto released = run_retrain({"resume", path("runs/toy"), "--quiet"});
  EXPECT_EQ(released.exit_code, 0) << released.output;
}

// Whether the signal set `field` (SigBlk: blocked, SigCgt: caught) in /proc/<pid>/status holds `sig`.
bool status_has_signal(int pid, const std::string& field, int sig) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with(field + ":")) return (std::stoull(line.substr(field.size() + 1), nullptr, 16) >> (sig - 1)) & 1;
  return false;
}

// Whether `pid` runs the program the launcher executes and has its SIGTERM handler installed.
bool retrain_catches_sigterm(int pid) {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
  return !ec && exe == fs::canonical(test::kRetrainProgram) && status_has_signal(pid, "SigCgt", SIGTERM);
}

class StartUp : public ::testing::Test {
 protected:
  test::ScratchDir dir_;

  // Starts a slow run, waits until `ready(pid)` (or either start-up stage is reached), sends SIGTERM
  // and expects exit 130 before the first generation. Returns whether the handler existed at the kill.
  bool sigterm_when(const std::function<bool(int)>& ready) {
    test::write_text(dir_ / "slow.yaml", "seed: 3\ndevice: cpu\ndata: {source: gaussian, n: 50, dim: 2}\n"
                                         "learner: {type: gaussian, replicas: 2000}\nloop: {generations: 40, lambda: 0.5}\n");
    const int pid = test::spawn_retrain({"--config", (dir_ / "slow.yaml").string(), "--out", (dir_ / "sigterm").string()},
                                        dir_ / "sigterm.log");
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!ready(pid) && !retrain_catches_sigterm(pid) && std::chrono::steady_clock::now() < end)
      std::this_thread::yield();
    const bool caught = retrain_catches_sigterm(pid);
    ::kill(pid, SIGTERM);
    EXPECT_EQ(test::wait_for(pid), 130) << test::read_text(dir_ / "sigterm.log");
    EXPECT_FALSE(fs::exists(dir_ / "sigterm/slow/gen_0000")) << "the signal came too late to test start-up";
    return caught;
  }
};

TEST_F(StartUp, SigtermWhileLibTorchLoadsExits130) {
  // The launcher (launch/launcher.cpp) blocks the stop signals in its first lines and then executes the
  // program that loads LibTorch; a SIGTERM sent then stays pending until that program has installed its
  // handlers (cli/early_start.cpp), and the run still stops with 130.
  const bool caught = sigterm_when([](int pid) { return status_has_signal(pid, "SigBlk", SIGTERM); });
  EXPECT_FALSE(caught) << "the kill came after the handlers were installed; the loading window was missed";
}

TEST_F(StartUp, SigtermOnceTheHandlersExistExits130) {
  EXPECT_TRUE(sigterm_when(retrain_catches_sigterm));
}

}  // namespace
}  // namespace retrain
