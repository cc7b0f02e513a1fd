// scripts/convert_checkpoint.py end to end: fake EDM and ddpm-torch checkpoints made from C++ networks'
// weights (tests/scripts/make_reference_checkpoints.py) convert into directories that Trainer::load reads,
// with the network.json that `retrain sample` reads.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>

#include "retrain/core/safetensors.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/models/ddpm_unet.hpp"
#include "retrain/models/song_unet.hpp"
#include "retrain/models/state_dict.hpp"
#include "retrain/train/trainer.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

const fs::path kScriptsDir = fs::path(test::kSourceDir) / "scripts";
const fs::path kTestScriptsDir = fs::path(test::kSourceDir) / "tests" / "scripts";

SongUNetOptions tiny_song_unet() {
  auto o = SongUNetOptions::ddpmpp(16, 3);
  o.model_channels = 16;
  o.channel_mult = {1, 2};
  o.num_blocks = 1;
  o.attn_resolutions = {8};
  return o;
}

DdpmUNetOptions tiny_ddpm_unet() {
  DdpmUNetOptions o;
  o.img_resolution = 16;
  o.hid_channels = 32;
  o.ch_multipliers = {1, 2};
  o.num_res_blocks = 1;
  o.apply_attn = {false, true};
  return o;
}

// The network's weights with every parameter redrawn from N(0, 1): the default init leaves many
// tensors equal (zero biases, unit norms), which would hide tensors landing under the wrong name.
TensorMap distinct_weights(Denoiser& net) {
  torch::NoGradGuard no_grad;
  for (auto& p : net.parameters()) p.normal_();
  TensorMap out;
  for (const auto& [name, t] : state_dict(net)) out[name] = t.clone();
  return out;
}

TensorMap times_two(const TensorMap& tensors) {
  TensorMap out;
  for (const auto& [name, t] : tensors) out[name] = 2 * t;
  return out;
}

// `python args...` through the shell, PYTHONPATH set to `pythonpath` (unset when empty).
test::ProcessResult run_python(const std::string& pythonpath, const std::vector<std::string>& args) {
  std::string command = pythonpath.empty() ? "env -u PYTHONPATH" : "env PYTHONPATH='" + pythonpath + "'";
  command += std::string(" '") + test::kPython + "'";
  for (const auto& a : args) command += " '" + a + "'";
  command += " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed for: " + command);
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

test::ProcessResult convert(const std::vector<std::string>& args, const std::string& pythonpath = kTestScriptsDir) {
  std::vector<std::string> all{(kScriptsDir / "convert_checkpoint.py").string()};
  all.insert(all.end(), args.begin(), args.end());
  return run_python(pythonpath, all);
}

void expect_same_tensors(const TensorMap& actual, const TensorMap& expected, const std::string& what) {
  EXPECT_EQ(actual.size(), expected.size()) << what;
  for (const auto& [name, t] : expected) {
    ASSERT_TRUE(actual.count(name)) << what << " lacks " << name;
    EXPECT_TRUE(torch::equal(actual.at(name), t)) << what << ": " << name;
  }
}

// One Adam step from zero with gradient g = the parameter value: exp_avg = 0.1 g, exp_avg_sq = 0.001 g^2.
void expect_adam_after_one_step_on(const fs::path& optimizer_file, const torch::nn::Module& net) {
  const auto optimizer = load_safetensors(optimizer_file);
  EXPECT_EQ(optimizer.size(), 3 * net.named_parameters().size());
  for (const auto& p : net.named_parameters()) {
    const auto& g = p.value();
    EXPECT_TRUE(torch::allclose(require_tensor(optimizer, "exp_avg." + p.key(), optimizer_file), 0.1 * g)) << p.key();
    EXPECT_TRUE(torch::allclose(require_tensor(optimizer, "exp_avg_sq." + p.key(), optimizer_file), 0.001 * g * g))
        << p.key();
    EXPECT_EQ(require_tensor(optimizer, "step." + p.key(), optimizer_file).item<float>(), 1.0F) << p.key();
  }
}

// The converted directory's network.json equals {"arch", "sample_shape", "num_classes"}.
void expect_network(const fs::path& dir, const std::string& arch, const std::vector<std::int64_t>& shape,
                    std::int64_t num_classes) {
  const auto network = nlohmann::json::parse(test::read_text(dir / "network.json"));
  EXPECT_EQ(network, (nlohmann::json{{"arch", arch}, {"sample_shape", shape}, {"num_classes", num_classes}}))
      << network.dump();
}

std::unique_ptr<Trainer> load_trainer(std::shared_ptr<Denoiser> net, const fs::path& dir) {
  auto trainer = std::make_unique<Trainer>(std::move(net), std::make_shared<EdmMethod>(), TrainerOptions{});
  trainer->load(dir);
  return trainer;
}

// The reference weights and the fake checkpoints are made once for all tests (each Python start
// imports torch, which takes a second or more).
class ConvertCheckpoint : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new test::ScratchDir;
    song_ = new TensorMap(distinct_weights(*std::make_shared<SongUNet>(tiny_song_unet())));
    ddpm_ = new TensorMap(distinct_weights(*std::make_shared<DdpmUNet>(tiny_ddpm_unet())));
    save_safetensors(*scratch_ / "song.safetensors", *song_);
    save_safetensors(*scratch_ / "ddpm.safetensors", *ddpm_);
    const auto made = run_python(kTestScriptsDir, {(kTestScriptsDir / "make_reference_checkpoints.py").string(),
                                                   (*scratch_ / "song.safetensors").string(),
                                                   (*scratch_ / "ddpm.safetensors").string(), scratch_->path().string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static void TearDownTestSuite() {
    delete song_;
    delete ddpm_;
    delete scratch_;
  }
  static fs::path input(const std::string& name) { return *scratch_ / name; }

  test::ScratchDir out_;
  static test::ScratchDir* scratch_;
  static TensorMap *song_, *ddpm_;
};
test::ScratchDir* ConvertCheckpoint::scratch_ = nullptr;
TensorMap* ConvertCheckpoint::song_ = nullptr;
TensorMap* ConvertCheckpoint::ddpm_ = nullptr;

TEST_F(ConvertCheckpoint, EdmSnapshotGivesModelAndEmaItsEmaWeights) {
  const auto dir = out_ / "converted";
  const auto result = convert({input("network-snapshot-000200.pkl").string(), "--out", dir.string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("images_seen: 200,000"), std::string::npos) << result.output;
  const auto trainer = load_trainer(std::make_shared<SongUNet>(tiny_song_unet()), dir);
  expect_same_tensors(state_dict(*trainer->net()), *song_, "model");
  expect_same_tensors(state_dict(*trainer->ema()), *song_, "ema");
  EXPECT_EQ(trainer->images_seen(), 200'000);  // 200 kimg
  EXPECT_EQ(trainer->step(), 0);
  expect_network(dir, "ddpmpp", {3, 16, 16}, 10);  // the FakePrecond's img_channels, img_resolution, label_dim
}

TEST_F(ConvertCheckpoint, EdmArchIsNcsnppWhenTheNoiseEmbeddingIsFourierUnlessArchSaysOtherwise) {
  const auto result = convert({input("ncsnpp-snapshot-000200.pkl").string(), "--out", (out_ / "a").string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  expect_network(out_ / "a", "ncsnpp", {3, 16, 16}, 10);
  const auto forced =
      convert({input("ncsnpp-snapshot-000200.pkl").string(), "--out", (out_ / "b").string(), "--arch", "ddpmpp"});
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  expect_network(out_ / "b", "ddpmpp", {3, 16, 16}, 10);
  const auto refused =
      convert({input("network-snapshot-000200.pkl").string(), "--out", (out_ / "c").string(), "--resolution", "32"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("--resolution and --channels apply to ddpm-torch checkpoints only"), std::string::npos)
      << refused.output;
}

TEST_F(ConvertCheckpoint, EdmTrainingStateKeepsRawWeightsAdamMomentsAndTheSnapshotsEma) {
  const auto dir = out_ / "converted";
  const auto result = convert({input("training-state-000200.pt").string(), "--out", dir.string(), "--ema",
                               input("network-snapshot-000200.pkl").string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto trainer = load_trainer(std::make_shared<SongUNet>(tiny_song_unet()), dir);
  // The fake training state holds every tensor doubled, buffers included.
  expect_same_tensors(state_dict(*trainer->net()), times_two(*song_), "model");
  expect_same_tensors(state_dict(*trainer->ema()), *song_, "ema");
  expect_adam_after_one_step_on(dir / "optimizer.safetensors", *trainer->net());
  EXPECT_EQ(trainer->images_seen(), 200'000);
  EXPECT_EQ(trainer->step(), 1);
  expect_network(dir, "ddpmpp", {3, 16, 16}, 10);
}

TEST_F(ConvertCheckpoint, DdpmTorchCheckpointLosesItsPrefixesAndNamesAdamMomentsByParameterOrder) {
  const DdpmUNet probe(tiny_ddpm_unet());
  ASSERT_TRUE(probe.named_buffers().is_empty()) << "the converter assumes the DDPM UNet has no buffers";
  const auto dir = out_ / "converted";
  const auto result = convert({input("ddpm.pt").string(), "--out", dir.string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto trainer = load_trainer(std::make_shared<DdpmUNet>(tiny_ddpm_unet()), dir);
  expect_same_tensors(state_dict(*trainer->net()), times_two(*ddpm_), "model");  // stored as 'module.' + name
  expect_same_tensors(state_dict(*trainer->ema()), *ddpm_, "ema");              // stored under 'shadow'
  expect_adam_after_one_step_on(dir / "optimizer.safetensors", *trainer->net());
  EXPECT_EQ(trainer->step(), 1);
  EXPECT_EQ(trainer->images_seen(), 128);  // one step of the default batch
  expect_network(dir, "ddpm_unet", {3, 32, 32}, 0);  // CIFAR-10 unless the flags say otherwise
}

TEST_F(ConvertCheckpoint, DdpmTorchNetworkShapeComesFromTheFlags) {
  const auto dir = out_ / "converted";
  const auto result = convert({input("ddpm.pt").string(), "--out", dir.string(), "--resolution", "16", "--channels", "1"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("network: ddpm_unet, sample shape [1, 16, 16], 0 classes"), std::string::npos)
      << result.output;
  expect_network(dir, "ddpm_unet", {1, 16, 16}, 0);
}

TEST_F(ConvertCheckpoint, JunkInputFailsNamingTheFileAndTheReason) {
  const auto junk = out_ / "junk.pt";
  test::write_text(junk, "this is not a checkpoint");
  const auto result = convert({junk.string(), "--out", (out_ / "converted").string()});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find(junk.string()), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("not a readable torch checkpoint"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(out_ / "converted"));
}

TEST_F(ConvertCheckpoint, EdmPickleWithoutTheEdmCodeOnPythonPathSaysSo) {
  const auto result = convert({input("network-snapshot-000200.pkl").string(), "--out", (out_ / "c").string()}, "");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("'fake_edm_networks'"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("PYTHONPATH"), std::string::npos) << result.output;
}

TEST_F(ConvertCheckpoint, RefusesToOverwriteAnExistingCheckpoint) {
  const auto dir = out_ / "existing";
  test::write_text(dir / "model.safetensors", "an earlier checkpoint");
  const auto result = convert({input("ddpm.pt").string(), "--out", dir.string()});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("--force"), std::string::npos) << result.output;
  EXPECT_EQ(test::read_text(dir / "model.safetensors"), "an earlier checkpoint");
}

}  // namespace
}  // namespace retrain
