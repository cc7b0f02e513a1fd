// SampleSet helpers.
#include <torch/torch.h>

#include "retrain/data/real_data.hpp"

namespace retrain {

SampleSet concat_samples(const std::vector<SampleSet>& parts) {
  std::vector<torch::Tensor> xs, ys;
  for (const auto& p : parts) {
    xs.push_back(p.x);
    if (p.labels.defined()) ys.push_back(p.labels);
  }
  if (xs.empty()) return {};
  return {torch::cat(xs, 1), ys.size() == xs.size() ? torch::cat(ys, 1) : torch::Tensor()};
}

}  // namespace retrain
