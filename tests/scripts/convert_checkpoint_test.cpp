// scripts/convert_checkpoint.py end to end: fake EDM and ddpm-torch checkpoints made from C++ networks'
// weights (tests/scripts/make_reference_checkpoints.py) convert into directories that Trainer::load reads,
// with the network.json (architecture included) and config.yaml that `retrain sample`, `metrics` and `eval`
// read without --config; EDM-style pickles (tests/scripts/fake_edm) unpickle without requests / tqdm.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>

#include "data/image_test_files.hpp"
#include "retrain/loop/config.hpp"
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

// The model.* keys of the tiny networks, as network.json's "model" records them.
nlohmann::json tiny_song_unet_model(double dropout) {
  return {{"channels", 16}, {"channel_mult", {1, 2}}, {"num_blocks", 1}, {"attn_resolutions", {8}},
          {"augment_dim", 0}, {"dropout", dropout}, {"label_dropout", 0.0}};
}
nlohmann::json tiny_ddpm_unet_model(std::int64_t resolution, double dropout = 0.1) {
  return {{"channels", 32}, {"channel_mult", {1, 2}}, {"num_blocks", 1}, {"attn_resolutions", {resolution / 2}},
          {"augment_dim", 0}, {"dropout", dropout}, {"label_dropout", 0.0}};
}

// The converted directory's network.json equals {"arch", "sample_shape", "num_classes", "model"}.
void expect_network(const fs::path& dir, const std::string& arch, const std::vector<std::int64_t>& shape,
                    std::int64_t num_classes, const nlohmann::json& model) {
  const auto network = nlohmann::json::parse(test::read_text(dir / "network.json"));
  EXPECT_EQ(network, (nlohmann::json{{"arch", arch}, {"sample_shape", shape}, {"num_classes", num_classes},
                                     {"model", model}}))
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
  // The FakePrecond's img_channels, img_resolution, label_dim; the model keys from the weights (dropout:
  // EDM's default, the fake records no constructor arguments).
  expect_network(dir, "ddpmpp", {3, 16, 16}, 10, tiny_song_unet_model(0.1));
  EXPECT_FALSE(fs::exists(dir / "config.yaml"));  // a FakePrecond is no preconditioning retrain knows
  EXPECT_NE(result.output.find("no config.yaml: the network's preconditioning is FakePrecond"), std::string::npos)
      << result.output;
}

TEST_F(ConvertCheckpoint, EdmArchIsNcsnppWhenTheNoiseEmbeddingIsFourierUnlessArchSaysOtherwise) {
  const auto result = convert({input("ncsnpp-snapshot-000200.pkl").string(), "--out", (out_ / "a").string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  expect_network(out_ / "a", "ncsnpp", {3, 16, 16}, 10, tiny_song_unet_model(0.1));
  const auto forced =
      convert({input("ncsnpp-snapshot-000200.pkl").string(), "--out", (out_ / "b").string(), "--arch", "ddpmpp"});
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  expect_network(out_ / "b", "ddpmpp", {3, 16, 16}, 10, tiny_song_unet_model(0.1));
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
  expect_network(dir, "ddpmpp", {3, 16, 16}, 10, tiny_song_unet_model(0.1));
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
  expect_network(dir, "ddpm_unet", {3, 32, 32}, 0, tiny_ddpm_unet_model(32));  // CIFAR-10 unless the flags say otherwise
}

TEST_F(ConvertCheckpoint, DdpmTorchNetworkShapeComesFromTheFlags) {
  const auto dir = out_ / "converted";
  const auto result = convert({input("ddpm.pt").string(), "--out", dir.string(), "--resolution", "16"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("network: ddpm_unet, sample shape [3, 16, 16], 0 classes"), std::string::npos)
      << result.output;
  expect_network(dir, "ddpm_unet", {3, 16, 16}, 0, tiny_ddpm_unet_model(16));
  // The image channels are read from the weights: a --channels that contradicts them is refused.
  const auto refused = convert({input("ddpm.pt").string(), "--out", (out_ / "gray").string(), "--channels", "1"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("--channels 1, but the UNet's in_conv takes 3 channels"), std::string::npos)
      << refused.output;
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

// --- complete checkpoints: pickles as NVlabs/edm writes them (tests/scripts/fake_edm) ---------------

const fs::path kFakeEdm = kTestScriptsDir / "fake_edm";

TEST_F(ConvertCheckpoint, AnEdmSnapshotBecomesACheckpointThatSamplesAndEvaluatesWithoutAConfig) {
  const auto dir = out_ / "edm";
  // No PYTHONPATH: the EDM code comes from --edm, and requests / tqdm (imported by it, not installed in
  // the venv) are stood in for.
  const auto result = convert({input("edm-snapshot-000200.pkl").string(), "--out", dir.string(), "--edm",
                               kFakeEdm.string()}, "");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  expect_network(dir, "ddpmpp", {3, 16, 16}, 0, tiny_song_unet_model(0.13));  // dropout as the pickle recorded it
  const auto trainer = load_trainer(std::make_shared<SongUNet>(tiny_song_unet()), dir);
  expect_same_tensors(state_dict(*trainer->ema()), *song_, "ema");

  // config.yaml: the model.* keys, EDM's method with generate.py's sampler and noise, the data EDM recorded.
  ASSERT_TRUE(fs::exists(dir / "config.yaml")) << result.output;
  const auto config = load_config_file(dir / "config.yaml");
  EXPECT_EQ(config.model.arch, Arch::ddpmpp);
  EXPECT_EQ(config.model.channels, 16);
  EXPECT_EQ(config.model.channel_mult, (std::vector<double>{1, 2}));
  EXPECT_EQ(config.model.num_blocks, 1);
  EXPECT_EQ(config.model.attn_resolutions, (std::vector<double>{8}));
  EXPECT_EQ(config.model.dropout, 0.13);
  EXPECT_EQ(config.method.type, MethodType::edm);
  EXPECT_EQ(config.method.noise, NoiseMode::torch);
  EXPECT_EQ(config.method.steps, 18);
  EXPECT_EQ(config.method.edm.preconditioning, EdmPreconditioning::edm);
  EXPECT_EQ(config.method.edm.p_mean, -1.1);  // the snapshot's EDMLoss
  EXPECT_EQ(config.method.edm.p_std, 1.3);
  EXPECT_EQ(config.method.edm.sigma_min, 0.002);
  EXPECT_EQ(config.method.edm.sigma_max, 80.0);
  EXPECT_EQ(config.data.format, DataFormat::edm);
  EXPECT_EQ(config.data.path, "datasets/tiny-16x16.zip");  // dataset_kwargs' path, relative as EDM ran it
  EXPECT_TRUE(config.data.xflip);
  EXPECT_EQ(config.data.resolution, 16);

  // `retrain sample` without --config: the checkpoint's own config.yaml.
  const auto sampled = test::run_retrain({"sample", dir.string(), "--seeds", "0-2", "--steps", "2", "--out-dir",
                                          (out_ / "samples").string(), "--quiet"});
  ASSERT_EQ(sampled.exit_code, 0) << sampled.output;
  for (const char* f : {"000000.png", "000001.png", "000002.png"}) EXPECT_TRUE(fs::exists(out_ / "samples" / f)) << f;
  EXPECT_TRUE(fs::exists(out_ / "samples-grid.png"));

  // `retrain eval` without --config, in a directory that holds the data where EDM's run had it.
  std::vector<std::pair<std::string, std::string>> pngs;
  for (int i = 0; i < 6; ++i)
    pngs.emplace_back(fmt::format("00000/img{:08d}.png", i), test::png_bytes(test::pattern(3, 16, 16, 5 * i)));
  fs::create_directories(out_ / "work/datasets");
  test::write_zip(out_ / "work/datasets/tiny-16x16.zip", pngs);
  const auto evaluated = test::run_retrain({"eval", dir.string(), "--set", "eval.num_samples=4", "--set",
                                            "method.steps=2", "--out-dir", (out_ / "work/e").string(), "--quiet"},
                                           out_ / "work");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_TRUE(fs::exists(out_ / "work/e/metrics.json"));
}

TEST_F(ConvertCheckpoint, VpAndVeSnapshotsAndOnesThatContradictThemselves) {
  const auto vp = convert({input("vp-snapshot-000200.pkl").string(), "--out", (out_ / "vp").string(), "--edm",
                           kFakeEdm.string(), "--data", "/data/tiny.zip", "--extractor", "/ck/inception.pt",
                           "--reference-stats", "/ck/tiny.npz"}, "");
  ASSERT_EQ(vp.exit_code, 0) << vp.output;
  const auto config = load_config_file(out_ / "vp/config.yaml");
  EXPECT_EQ(config.method.edm.preconditioning, EdmPreconditioning::vp);
  EXPECT_EQ(config.method.edm.vp_beta_d, 19.9);
  EXPECT_EQ(config.method.edm.vp_beta_min, 0.1);
  EXPECT_EQ(config.method.edm.vp_m, 1000);
  EXPECT_EQ(config.method.edm.vp_epsilon_t, 1e-5);
  EXPECT_EQ(config.data.path, "/data/tiny.zip");
  EXPECT_EQ(config.eval.extractor, "/ck/inception.pt");
  EXPECT_EQ(config.eval.reference_stats, "/ck/tiny.npz");

  // VE has no retrain method: the weights convert, config.yaml is left out and the note says why.
  const auto ve = convert({input("ve-snapshot-000200.pkl").string(), "--out", (out_ / "ve").string(), "--edm",
                           kFakeEdm.string()}, "");
  ASSERT_EQ(ve.exit_code, 0) << ve.output;
  EXPECT_FALSE(fs::exists(out_ / "ve/config.yaml"));
  EXPECT_NE(ve.output.find("no config.yaml: the network's preconditioning is VEPrecond"), std::string::npos)
      << ve.output;
  const auto refused = test::run_retrain({"sample", (out_ / "ve").string(), "--seeds", "0"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("holds no config.yaml; pass --config"), std::string::npos) << refused.output;

  // Recorded arguments (model_channels 32) that the weights (16 channels) contradict are refused.
  const auto lying = convert({input("lying-snapshot-000200.pkl").string(), "--out", (out_ / "lying").string(),
                              "--edm", kFakeEdm.string()}, "");
  EXPECT_NE(lying.exit_code, 0);
  EXPECT_NE(lying.output.find("the network's recorded arguments say channels 32, its weights 16"), std::string::npos)
      << lying.output;
}

TEST_F(ConvertCheckpoint, AnEdmPickleWithoutTheEdmCheckoutNamesTheModulesItNeeds) {
  const auto result = convert({input("edm-snapshot-000200.pkl").string(), "--out", (out_ / "x").string()}, "");
  EXPECT_NE(result.exit_code, 0);
  for (const char* part : {"the module 'torch_utils'", "torch_utils/persistence.py", "dnnlib/util.py", "--edm",
                           "requests, click and tqdm need not be installed"})
    EXPECT_NE(result.output.find(part), std::string::npos) << part << " in " << result.output;
  const auto wrong = convert({input("edm-snapshot-000200.pkl").string(), "--out", (out_ / "y").string(), "--edm",
                              out_.path().string()}, "");
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.output.find("no torch_utils/persistence.py there"), std::string::npos) << wrong.output;
}

TEST_F(ConvertCheckpoint, ADdpmTorchCheckpointTakesItsConfigJsonAndSamplesWithoutAConfig) {
  test::write_text(out_ / "tiny.json", R"({"diffusion": {"timesteps": 50, "beta_start": 0.0001, "beta_end": 0.02,
      "beta_schedule": "linear", "model_mean_type": "eps", "model_var_type": "fixed-small", "loss_type": "mse"},
    "model": {"in_channels": 3, "hid_channels": 32, "ch_multipliers": [1, 2], "num_res_blocks": 1,
              "apply_attn": [false, true], "drop_rate": 0.05}})");
  const auto dir = out_ / "ddpm";
  const auto result = convert({input("ddpm.pt").string(), "--out", dir.string(), "--resolution", "16",
                               "--ddpm-config", (out_ / "tiny.json").string()});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  expect_network(dir, "ddpm_unet", {3, 16, 16}, 0, tiny_ddpm_unet_model(16, 0.05));
  const auto config = load_config_file(dir / "config.yaml");
  EXPECT_EQ(config.method.type, MethodType::ddpm);
  EXPECT_EQ(config.method.ddpm.num_timesteps, 50);
  EXPECT_EQ(config.method.ddpm.variance, DdpmVariance::fixed_small);
  EXPECT_EQ(config.method.ddpm.clip_x0, 1.0);
  EXPECT_EQ(config.model.arch, Arch::ddpm_unet);
  const auto sampled = test::run_retrain({"sample", dir.string(), "--seeds", "0-1", "--out-dir",
                                          (out_ / "samples").string(), "--quiet"});
  ASSERT_EQ(sampled.exit_code, 0) << sampled.output;
  EXPECT_TRUE(fs::exists(out_ / "samples/000001.png"));

  // A config JSON that contradicts the weights is refused.
  test::write_text(out_ / "wide.json", R"({"diffusion": {}, "model": {"hid_channels": 64}})");
  const auto wide = convert({input("ddpm.pt").string(), "--out", (out_ / "wide").string(), "--ddpm-config",
                             (out_ / "wide.json").string()});
  EXPECT_NE(wide.exit_code, 0);
  EXPECT_NE(wide.output.find("--ddpm-config says hid_channels 64, the weights 32"), std::string::npos) << wide.output;
}

TEST_F(ConvertCheckpoint, ACheckpointWhoseNetworkJsonContradictsTheConfigIsRefusedNamingTheKey) {
  const auto dir = out_ / "edm";
  ASSERT_EQ(convert({input("edm-snapshot-000200.pkl").string(), "--out", dir.string(), "--edm", kFakeEdm.string()},
                    "").exit_code, 0);
  test::write_text(out_ / "other.yaml", test::read_text(dir / "config.yaml"));
  const auto refused = test::run_retrain({"sample", dir.string(), "--seeds", "0", "--config", (out_ / "other.yaml").string(),
                                          "--set", "model.num_blocks=2"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("network.json says model.num_blocks: 1 but the config says 2"), std::string::npos)
      << refused.output;
}

}  // namespace
}  // namespace retrain
