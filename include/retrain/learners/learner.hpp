// What the generation manager needs from a generative model, whatever it is (a Gaussian fit, a
// diffusion model): fit, sample, evaluate, save/load, and optional per-generation report rows.
#pragma once
#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "retrain/diffusion/sample_noise.hpp"
#include "retrain/data/real_data.hpp"

namespace retrain {

// What one generation's fit does, decided by the loop from the config.
struct FitPlan {
  std::int64_t generation = 0;
  std::int64_t images = 0;                 // training images (learners trained by steps); one-shot fits ignore it
  std::filesystem::path start_from;        // load this checkpoint first ("" = continue from the current state)
  bool reset_optimizer = false;            // start the optimizer afresh (loop.optimizer: reset)
  std::filesystem::path snapshot_dir;      // resumable snapshots of a long fit ("" = none)
  std::filesystem::path stats_file;        // per-step training statistics go here (TrainStatsFile; "" = none)
};

class Learner {
 public:
  virtual ~Learner() = default;

  // Trains on `data` (x [replicas, N, ...] in storage form, see to_storage) as `plan` says; the loop
  // decides the plan (Algorithm 1: generation 0 from scratch or a checkpoint, later generations resume
  // from the current state, A_ft). A long fit keeps resumable snapshots in plan.snapshot_dir and,
  // called again after a crash with the same arguments, continues from the newest one there.
  virtual void fit(const SampleSet& data, const FitPlan& plan, at::Generator& gen) = 0;
  // `n` samples per replica, x [replicas, n, ...] on the CPU, with the class each was drawn for when
  // the model is conditional. Per-sample noise makes sample i depend on its seed only.
  virtual SampleSet sample(std::int64_t n, SampleNoise noise) = 0;
  // Samples (after correction) in the form they are stored and trained on: identity for points,
  // uint8 quantisation for images (exactly like real images).
  virtual torch::Tensor to_storage(const torch::Tensor& x) const { return x; }
  // Metrics of the current model against the true distribution (a flat JSON object of numbers).
  // Artifacts of the evaluation (samples, pictures) go into `out_dir`, the generation's directory.
  virtual nlohmann::json evaluate(at::Generator& gen, const std::filesystem::path& out_dir) = 0;

  // Complete state, so load(save()) continues exactly.
  virtual void save(const std::filesystem::path& dir) const = 0;
  virtual void load(const std::filesystem::path& dir) = 0;

  // Size of the model for `retrain info`: "parameters", "buffers" (element counts) and "bytes"
  // (parameters + buffers in memory); empty for learners without a network.
  virtual nlohmann::json model_summary() const { return nlohmann::json::object(); }

  // Optional table with one or more rows per generation, e.g. gaussian_params.csv. The first
  // column of every row is the generation number.
  virtual std::string report_name() const { return ""; }
  virtual std::string report_header() const { return ""; }
  virtual std::string report_rows(std::int64_t generation) const { return ""; }
};

}  // namespace retrain
