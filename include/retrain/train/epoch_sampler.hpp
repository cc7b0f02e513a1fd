// Minibatch indices as a stream of epochs: each epoch is a fresh random permutation of 0..n-1 drawn
// from the caller's generator when the previous one runs out; a batch may wrap into the next epoch.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace retrain {

class EpochSampler {
 public:
  EpochSampler(std::int64_t n, at::Generator& gen);
  // The next `batch` indices (int64, CPU).
  torch::Tensor next(std::int64_t batch);

  // The current epoch's permutation (undefined before the first draw) and how much of it is used;
  // restore() puts both back (with the generator's state, the stream continues exactly).
  const torch::Tensor& permutation() const { return perm_; }
  std::int64_t position() const { return pos_; }
  void restore(const torch::Tensor& permutation, std::int64_t position);

 private:
  std::int64_t n_, pos_;
  at::Generator& gen_;
  torch::Tensor perm_;
};

}  // namespace retrain
