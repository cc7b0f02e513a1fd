// EpochSampler: permutations are drawn lazily, so a run split into several fits at epoch boundaries
// draws the same numbers as one uninterrupted fit.
#include "retrain/train/epoch_sampler.hpp"

namespace retrain {

EpochSampler::EpochSampler(std::int64_t n, at::Generator& gen) : n_(n), pos_(n), gen_(gen) {
  TORCH_CHECK(n >= 1, "EpochSampler needs at least one item");
}

torch::Tensor EpochSampler::next(std::int64_t batch) {
  std::vector<torch::Tensor> parts;
  while (batch > 0) {
    if (pos_ == n_) {
      perm_ = at::randperm(n_, gen_, torch::kLong);
      pos_ = 0;
    }
    const auto take = std::min(batch, n_ - pos_);
    parts.push_back(perm_.slice(0, pos_, pos_ + take));
    pos_ += take;
    batch -= take;
  }
  return parts.size() == 1 ? parts.front() : torch::cat(parts);
}

void EpochSampler::restore(const torch::Tensor& permutation, std::int64_t position) {
  if (!permutation.defined()) {
    TORCH_CHECK(position == n_, "EpochSampler::restore: no permutation, so the position must be ", n_, ", got ", position);
  } else {
    TORCH_CHECK(permutation.dim() == 1 && permutation.size(0) == n_, "EpochSampler::restore: a permutation of ", n_,
                " items is needed, got ", permutation.sizes());
    TORCH_CHECK(position >= 0 && position <= n_, "EpochSampler::restore: position ", position, " is outside [0, ", n_, "]");
  }
  perm_ = permutation.defined() ? permutation.to(torch::kLong) : permutation;
  pos_ = position;
}

}  // namespace retrain
