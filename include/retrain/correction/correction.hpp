// Self-correction pi_gamma (paper 2): maps a batch of synthetic samples to corrected ones before they
// are mixed with real data. Points and images use the same interface.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "retrain/correction/correction_options.hpp"
#include "retrain/data/real_data.hpp"

namespace retrain {

class FeatureExtractor;
class RealData;

class Correction {
 public:
  virtual ~Correction() = default;
  // samples [replicas, n, ...]; labels [replicas, n] or undefined. Returns corrected samples, same shape.
  virtual torch::Tensor apply(const torch::Tensor& samples, const torch::Tensor& labels, at::Generator& gen) const = 0;
  virtual std::string describe() const = 0;
};

// No correction (gamma = 0).
class IdentityCorrection final : public Correction {
 public:
  torch::Tensor apply(const torch::Tensor& samples, const torch::Tensor&, at::Generator&) const override {
    return samples;
  }
  std::string describe() const override { return "none"; }
};

// loop.correction -> Correction, built against the real data (oracle_mixture and nearest_mode need a
// point source; kmeans clusters the run's fixed real images `draw`, in eval.extractor's feature space
// when loop.correction.space is features, and caches the clusters in `cache_dir` when it is not empty).
std::unique_ptr<Correction> make_correction(const CorrectionOptions& options, const RealData& real, const RealDraw& draw,
                                            const FeatureExtractor* extractor = nullptr,
                                            const std::filesystem::path& cache_dir = {},
                                            torch::Device device = torch::kCPU);

}  // namespace retrain
