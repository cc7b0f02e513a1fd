// The noise-level embeddings of NVlabs/edm: sinusoidal (DDPM++, ADM) and random Fourier (NCSN++).
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace retrain {

// [cos(v f_k), sin(v f_k)], f_k = (1/max_positions)^(k / (half - endpoint)), k = 0..half-1.
class PositionalEmbeddingImpl : public torch::nn::Module {
 public:
  PositionalEmbeddingImpl(std::int64_t num_channels, double max_positions, bool endpoint);
  torch::Tensor forward(const torch::Tensor& v);

 private:
  std::int64_t num_channels_;
  double max_positions_;
  bool endpoint_;
};
TORCH_MODULE(PositionalEmbedding);

// [cos(2 pi v f_k), sin(2 pi v f_k)] with the buffer `freqs` ~ N(0, scale^2) [num_channels/2] fixed at init.
class FourierEmbeddingImpl : public torch::nn::Module {
 public:
  FourierEmbeddingImpl(std::int64_t num_channels, double scale);
  torch::Tensor forward(const torch::Tensor& v);

 private:
  torch::Tensor freqs_;
};
TORCH_MODULE(FourierEmbedding);

}  // namespace retrain
