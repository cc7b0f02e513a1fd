// A diffusion model of points as a Learner: an MLP denoiser trained by a Method (ddpm | edm | cfm)
// through the Trainer. Generation 0 trains gen0.kimg images from scratch; every later generation
// fine-tunes loop.kimg_per_generation images, resuming network, EMA and optimizer. Samples come from
// the EMA network.
#pragma once
#include "retrain/core/config.hpp"
#include "retrain/data/point_source.hpp"
#include "retrain/diffusion/make_method.hpp"
#include "retrain/loop/learner.hpp"
#include "retrain/train/trainer.hpp"

namespace retrain {

// Config sections -> the option structs of the diffusion room (UsageError for bad combinations).
MethodOptions method_options(const MethodConfig& config);
TrainerOptions trainer_options(const TrainConfig& config);

class DiffusionLearner final : public Learner {
 public:
  DiffusionLearner(const Config& config, const PointSource& truth, torch::Device device);

  void fit(const torch::Tensor& data, std::int64_t generation, at::Generator& gen) override;
  torch::Tensor sample(std::int64_t n, at::Generator& gen) override;
  // Samples eval.num_samples points, compares them with as many fresh real points (sliced W2, energy
  // distance, mode statistics where the source has modes), and writes samples.npy and density.png.
  nlohmann::json evaluate(at::Generator& gen, const std::filesystem::path& out_dir) override;
  void save(const std::filesystem::path& dir) const override { trainer_.save(dir); }
  void load(const std::filesystem::path& dir) override { trainer_.load(dir); }
  nlohmann::json model_summary() const override;

  const Trainer& trainer() const { return trainer_; }

 private:
  const Config& config_;
  const PointSource& truth_;
  torch::Device device_;
  std::shared_ptr<Method> method_;
  Trainer trainer_;
  FitStats last_fit_;
};

}  // namespace retrain
