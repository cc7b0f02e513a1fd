// The generation loop on images (a tiny IDX data set, a tiny SongUNet): each generation draws
// floor(lambda * n) synthetic images, stores them in shards and trains on exactly the real images plus
// those (only those with real: none; plus every earlier generation's with accumulate); the Adam state
// carries across generations (loop.optimizer: resume), also through a restart, or starts afresh (reset).
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "data/image_test_files.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/correction/correction.hpp"
#include "retrain/loop/make_learner.hpp"
#include "retrain/loop/generation_manager.hpp"
#include "retrain/loop/run_dir.hpp"
#include "retrain/loop/sample_shards.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// `n` distinct uint8 images [n, 1, 8, 8] and their IDX images file.
torch::Tensor write_idx_images(const fs::path& file, std::int64_t n) {
  std::vector<torch::Tensor> images;
  for (std::int64_t i = 0; i < n; ++i) images.push_back(test::pattern(1, 8, 8, 29 * i)[0]);
  const auto nhw = torch::stack(images).contiguous();
  test::write_text(file, test::idx_images(nhw));
  return nhw.unsqueeze(1);
}

// A tiny image experiment: batches of 4, generation 0 trains 12 images (3 steps); 2-step EDM sampling;
// 2 evaluation samples, no grid, no feature metrics. `loop` holds the loop.* keys.
std::string tiny_config(const fs::path& idx, std::int64_t n, const std::string& loop) {
  return fmt::format(
      "device: cpu\nseed: 3\n"
      "data: {{source: image, format: idx, path: '{}', n: {}}}\nlearner: {{type: diffusion}}\n"
      "model: {{arch: ddpmpp, channels: 8, channel_mult: [1], num_blocks: 1, attn_resolutions: [], dropout: 0}}\n"
      "method: {{type: edm, steps: 2}}\ntrain: {{lr: 0.001, batch: 4}}\ngen0: {{kimg: 0.012}}\n"
      "loop: {{{}}}\neval: {{num_samples: 2, grid: 0}}\n",
      idx.string(), n, loop);
}

// Passes everything to the real learner and keeps the training set of every generation.
class RecordingLearner final : public Learner {
 public:
  explicit RecordingLearner(Learner& inner) : inner_(inner) {}
  void fit(const SampleSet& data, const FitPlan& plan, at::Generator& gen) override {
    trained_on[plan.generation] = data.x.clone();
    inner_.fit(data, plan, gen);
  }
  SampleSet sample(std::int64_t n, SampleNoise noise) override { return inner_.sample(n, std::move(noise)); }
  torch::Tensor to_storage(const torch::Tensor& x) const override { return inner_.to_storage(x); }
  nlohmann::json evaluate(at::Generator& gen, const fs::path& out_dir) override { return inner_.evaluate(gen, out_dir); }
  void save(const fs::path& dir) const override { inner_.save(dir); }
  void load(const fs::path& dir) override { inner_.load(dir); }

  std::map<std::int64_t, torch::Tensor> trained_on;

 private:
  Learner& inner_;
};

// Runs (or continues) the experiment of `run` the way run_experiment does, recording the training sets.
std::map<std::int64_t, torch::Tensor> run_recorded(RunDir& run) {
  torch::set_num_threads(1);
  const Config& c = run.config();
  auto real = make_real_data(c.data);
  auto learner = make_learner(c, *real, torch::kCPU);
  RecordingLearner recorder(*learner);
  IdentityCorrection none;
  GenerationManager(run, *real, recorder, none, torch::kCPU).run();
  return recorder.trained_on;
}

RunDir create_run(const test::ScratchDir& scratch, const std::string& name, const std::string& yaml) {
  Config c = load_config_text(yaml, name + ".yaml");
  c.name = name;
  return RunDir::create(scratch / name, c, false);
}

nlohmann::json read_json(const fs::path& file) { return nlohmann::json::parse(test::read_text(file)); }

TEST(ImageRetraining, SyntheticCountIsFloorOfLambdaTimesNAndTheMixHoldsExactlyRealPlusNew) {
  test::ScratchDir scratch;
  const std::int64_t n = 7;
  const auto real = write_idx_images(scratch / "images-idx3-ubyte", n);
  for (const auto& [lambda, m] : std::vector<std::pair<double, std::int64_t>>{{0.5, 3}, {1.5, 10}}) {
    const std::string name = fmt::format("lambda{}", m);
    // Shards of 4 samples: 10 synthetic images span 3 shards.
    RunDir run = create_run(scratch, name,
                            tiny_config(scratch / "images-idx3-ubyte", n,
                                        fmt::format("generations: 2, lambda: {}, real: fixed, synthetic: replace, "
                                                    "shard_size: 4, kimg_per_generation: 0.008", lambda)));
    const auto trained_on = run_recorded(run);
    ASSERT_EQ(trained_on.size(), 3u);
    // Generation 0: the n real images (all of the file, in order), as uint8.
    EXPECT_TRUE(torch::equal(trained_on.at(0), real.unsqueeze(0))) << name;
    EXPECT_FALSE(fs::exists(run.generation_dir(0) / "synthetic")) << name;
    EXPECT_EQ(read_json(run.generation_dir(0) / "state.json")["n_synthetic_new"], 0) << name;
    for (std::int64_t g = 1; g <= 2; ++g) {
      const auto state = read_json(run.generation_dir(g) / "state.json");
      EXPECT_EQ(state["n_synthetic_new"], m) << name << " gen " << g;
      EXPECT_EQ(state["n_train"], n + m) << name << " gen " << g;
      const auto synthetic = read_shards(run.generation_dir(g) / "synthetic");
      ASSERT_EQ(synthetic.x.sizes(), (std::vector<std::int64_t>{1, m, 1, 8, 8})) << name << " gen " << g;
      EXPECT_EQ(synthetic.x.scalar_type(), torch::kUInt8);
      EXPECT_EQ(fs::exists(run.generation_dir(g) / "synthetic/shard_00002.safetensors"), m > 8) << name;
      // The training set: every real image, then exactly this generation's synthetic ones (replace).
      const auto& mix = trained_on.at(g);
      ASSERT_EQ(mix.sizes(), (std::vector<std::int64_t>{1, n + m, 1, 8, 8})) << name << " gen " << g;
      EXPECT_TRUE(torch::equal(mix, torch::cat({real.unsqueeze(0), synthetic.x}, 1))) << name << " gen " << g;
    }
    // Generations sample from different models and seeds: their synthetic images differ.
    EXPECT_FALSE(torch::equal(read_shards(run.generation_dir(1) / "synthetic").x,
                              read_shards(run.generation_dir(2) / "synthetic").x)) << name;
  }
}

TEST(ImageRetraining, FullySyntheticAndAccumulatingMixes) {
  test::ScratchDir scratch;
  const std::int64_t n = 6;
  const auto idx = scratch / "images-idx3-ubyte";
  const auto real = write_idx_images(idx, n);
  const std::string loop = "generations: 2, lambda: 0.5, kimg_per_generation: 0.004, real: ";
  // real: none: each generation trains on its own 3 synthetic images only.
  RunDir none = create_run(scratch, "none", tiny_config(idx, n, loop + "none, synthetic: replace"));
  const auto none_sets = run_recorded(none);
  for (std::int64_t g = 1; g <= 2; ++g) {
    const auto synthetic = read_shards(none.generation_dir(g) / "synthetic").x;
    EXPECT_EQ(synthetic.size(1), 3) << g;
    EXPECT_TRUE(torch::equal(none_sets.at(g), synthetic)) << g;
    EXPECT_EQ(read_json(none.generation_dir(g) / "state.json")["n_train"], 3) << g;
  }
  // synthetic: accumulate: generation 2 trains on the real images, then generation 1's and 2's samples.
  RunDir acc = create_run(scratch, "accumulate", tiny_config(idx, n, loop + "fixed, synthetic: accumulate"));
  const auto acc_sets = run_recorded(acc);
  const auto s1 = read_shards(acc.generation_dir(1) / "synthetic").x, s2 = read_shards(acc.generation_dir(2) / "synthetic").x;
  EXPECT_TRUE(torch::equal(acc_sets.at(1), torch::cat({real.unsqueeze(0), s1}, 1)));
  EXPECT_TRUE(torch::equal(acc_sets.at(2), torch::cat({real.unsqueeze(0), s1, s2}, 1)));
  EXPECT_EQ(read_json(acc.generation_dir(2) / "state.json")["n_train"], n + 3 + 3);
  EXPECT_EQ(read_json(acc.generation_dir(2) / "state.json")["n_synthetic_new"], 3);
}

// The Adam step count of every parameter in `dir`'s optimizer.safetensors (all equal), and the state.
std::pair<double, TensorMap> optimizer_state(const fs::path& dir) {
  auto state = load_safetensors(dir / "optimizer.safetensors");
  double step = -1;
  for (const auto& [key, t] : state) {
    if (key.rfind("step.", 0) != 0) continue;
    const double s = t.item<double>();
    if (step < 0) step = s;
    EXPECT_EQ(s, step) << key;
  }
  return {step, state};
}

TEST(ImageRetraining, OptimizerStateCarriesAcrossGenerationsOrIsReset) {
  // Generation 1 trains one step, so both runs compute the same gradient g there (same weights after
  // generation 0, same training set, same generator): resume gives m1 = beta1 m0 + (1 - beta1) g and
  // v1 = beta2 v0 + (1 - beta2) g^2, reset gives the same without the first terms.
  test::ScratchDir scratch;
  const auto idx = scratch / "images-idx3-ubyte";
  write_idx_images(idx, 8);
  const auto config = [&](const std::string& optimizer) {
    return tiny_config(idx, 8, "generations: 1, lambda: 1, kimg_per_generation: 0.004, optimizer: " + optimizer);
  };
  RunDir resumed = create_run(scratch, "resume", config("resume"));
  RunDir reset = create_run(scratch, "reset", config("reset"));
  run_recorded(resumed);
  run_recorded(reset);
  const double beta1 = 0.9, beta2 = 0.999;

  const auto [gen0_steps, gen0] = optimizer_state(resumed.generation_dir(0));
  EXPECT_EQ(gen0_steps, 3);  // 12 images in batches of 4
  // Generation 0 is the same in both runs.
  EXPECT_EQ(test::read_text(resumed.generation_dir(0) / "optimizer.safetensors"),
            test::read_text(reset.generation_dir(0) / "optimizer.safetensors"));

  const auto [resume_steps, resume1] = optimizer_state(resumed.generation_dir(1));
  const auto [reset_steps, reset1] = optimizer_state(reset.generation_dir(1));
  EXPECT_EQ(resume_steps, 3 + 1);  // gen 0's 3 steps + gen 1's 1 (4 images)
  EXPECT_EQ(reset_steps, 1);
  std::int64_t moments = 0;
  for (const auto& [key, m0] : gen0) {
    const bool first = key.rfind("exp_avg.", 0) == 0, second = key.rfind("exp_avg_sq.", 0) == 0;
    if (!first && !second) continue;
    const auto carried = resume1.at(key) - reset1.at(key);
    const auto expected = m0 * (first ? beta1 : beta2);
    // The difference of two float32 moments: rounding error relative to the larger of them.
    const double scale = resume1.at(key).abs().max().item<double>();
    EXPECT_TRUE(torch::allclose(carried, expected, 1e-4, 1e-5 * scale + 1e-30))
        << key << ": off by " << (carried - expected).abs().max().item<double>() << " (max |moment| " << scale << ")";
    moments += m0.ne(0).sum().item<std::int64_t>();
  }
  EXPECT_GT(moments, 1000);  // the comparison covers real, non-zero moments

  // A restart after generation 0 loads the same optimizer state and ends where the single process did.
  {
    RunDir again = create_run(scratch, "again", config("resume"));
    run_recorded(again);
    fs::remove_all(again.generation_dir(1));
  }  // releases the run directory's lock, as the process that ran it would when it ended
  RunDir reopened = RunDir::open(scratch / "again");
  run_recorded(reopened);
  EXPECT_EQ(test::read_text(reopened.generation_dir(1) / "optimizer.safetensors"),
            test::read_text(resumed.generation_dir(1) / "optimizer.safetensors"));
  EXPECT_EQ(test::read_text(reopened.generation_dir(1) / "model.safetensors"),
            test::read_text(resumed.generation_dir(1) / "model.safetensors"));
}

}  // namespace
}  // namespace retrain
