// Paper 2's ideal correction for toys: pi_gamma p = (p + gamma p_data)/(1 + gamma), sampled exactly by
// replacing each synthetic sample, with probability gamma/(1+gamma), by a fresh draw of the true data.
#pragma once
#include "retrain/correction/correction.hpp"
#include "retrain/data/point_source.hpp"

namespace retrain {

class OracleMixtureCorrection final : public Correction {
 public:
  OracleMixtureCorrection(const PointSource& truth, double gamma);
  torch::Tensor apply(const torch::Tensor& samples, const torch::Tensor& labels, at::Generator& gen) const override;
  std::string describe() const override;
  double replace_probability() const { return gamma_ / (1.0 + gamma_); }

 private:
  const PointSource& truth_;
  double gamma_;
};

}  // namespace retrain
