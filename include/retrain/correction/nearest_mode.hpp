// Self-correction for sources with known point modes: each synthetic point moves toward its nearest
// mode centre by `strength` (0 = identity, 1 = the centre itself), x + strength * (c - x).
#pragma once
#include "retrain/correction/correction.hpp"

namespace retrain {

class NearestModeCorrection final : public Correction {
 public:
  // centers [K, D]; strength in [0, 1].
  NearestModeCorrection(torch::Tensor centers, double strength);
  torch::Tensor apply(const torch::Tensor& samples, const torch::Tensor& labels, at::Generator& gen) const override;
  std::string describe() const override;

 private:
  torch::Tensor centers_;
  double strength_;
};

}  // namespace retrain
