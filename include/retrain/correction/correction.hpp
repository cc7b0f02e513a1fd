// Self-correction pi_gamma (paper 2): maps a batch of synthetic samples to corrected ones before they
// are mixed with real data. Points and images use the same interface.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <memory>
#include <string>

namespace retrain {

struct CorrectionConfig;
class PointSource;

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

// loop.correction -> Correction. `truth` is the real source (used by oracle_mixture).
std::unique_ptr<Correction> make_correction(const CorrectionConfig& config, const PointSource& truth);

}  // namespace retrain
