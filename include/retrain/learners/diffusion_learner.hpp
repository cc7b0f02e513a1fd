// A diffusion model as a Learner, for points (MLP) and images (U-Nets): a network trained by a Method
// (ddpm | edm | cfm) through the Trainer, for as many images as the loop's FitPlan says, from a
// checkpoint or the current network, EMA and optimizer (the optimizer reset when the plan says so).
// Samples come from the EMA network (loop.sample_from) in batches of method.sample_batch. The
// composition root (loop/make_learner) hands it its options.
#pragma once
#include <memory>
#include <optional>
#include <vector>

#include "retrain/diffusion/make_method.hpp"
#include "retrain/diffusion/sampler.hpp"
#include "retrain/learners/sample_evaluator.hpp"
#include "retrain/learners/learner.hpp"
#include "retrain/models/model_options.hpp"
#include "retrain/train/trainer.hpp"

namespace retrain {

// What a DiffusionLearner is built from; loop/make_learner fills every member from the config.
struct DiffusionLearnerOptions {
  std::uint64_t seed;          // the run seed: the initial weights derive from it
  ModelOptions model;
  MethodOptions method;
  TrainerOptions train;
  SampleFrom sample_from;      // loop.sample_from
  std::int64_t eval_samples;   // samples per evaluation (eval.num_samples, 0 there = data.n)
};

class DiffusionLearner final : public Learner {
 public:
  // sample_shape: [D] for points, [C, R, R] for images; num_classes 0 = unconditional.
  // With a World of several processes the Trainer is data-parallel, rank 0 alone writes snapshots,
  // and evaluation samples are drawn by every rank (chunks striped by rank) and scored by rank 0.
  DiffusionLearner(DiffusionLearnerOptions options, std::vector<std::int64_t> sample_shape, std::int64_t num_classes,
                   std::unique_ptr<SampleEvaluator> evaluator, torch::Device device, World world = {});

  // Snapshots (train.snapshot_kimg, and on a stop signal) go to `snapshot_dir`; see TrainingSnapshots.
  void fit(const SampleSet& data, const FitPlan& plan, at::Generator& gen) override;
  SampleSet sample(std::int64_t n, SampleNoise noise) override;
  torch::Tensor to_storage(const torch::Tensor& x) const override;
  // Samples options.eval_samples with one seed each and hands them to the evaluator, adding
  // images seen, non-finite steps and (after a fit() in this process) the training loss; then draws
  // the evaluator's fixed-seed views from seeds 0, 1, ... (the same in every generation, as
  // `retrain sample --seeds` draws them). On ranks other than 0 of several it only draws its share of
  // the samples and returns {}.
  nlohmann::json evaluate(at::Generator& gen, const std::filesystem::path& out_dir) override;
  // The Trainer's files plus network.json (arch, sample_shape, num_classes), so `retrain sample` can
  // rebuild the network from the checkpoint alone.
  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir) override { trainer_.load(dir); }
  // Weights and EMA of any checkpoint directory (a run's generation or a converted EDM network; the
  // optimizer state and trainer.json are used when present), e.g. to evaluate it.
  void load_checkpoint(const std::filesystem::path& dir) { trainer_.load_checkpoint(dir); }
  nlohmann::json model_summary() const override;

  const Trainer& trainer() const { return trainer_; }
  const Method& method() const { return *method_; }
  bool images() const { return sample_shape_.size() == 3; }

 private:
  Denoiser& sampling_network();  // the EMA or the raw network (loop.sample_from)
  // Samples as the Learner interface hands them out: one replica, points in float64.
  SampleSet as_learner_samples(const SampleSet& samples) const;
  void write_views(const std::filesystem::path& out_dir);

  DiffusionLearnerOptions options_;
  std::vector<std::int64_t> sample_shape_;
  std::int64_t num_classes_;
  std::unique_ptr<SampleEvaluator> evaluator_;
  torch::Device device_;
  World world_;
  std::shared_ptr<Method> method_;
  Sampler sampler_;
  Trainer trainer_;
  std::optional<FitStats> last_fit_;  // set by fit(); a loaded model has no training loss to report
};

}  // namespace retrain
