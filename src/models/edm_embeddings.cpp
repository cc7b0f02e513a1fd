// PositionalEmbedding and FourierEmbedding: outer product of the noise level with frequencies, cos | sin.
#include "retrain/models/edm_embeddings.hpp"

#include <numbers>

namespace retrain {

PositionalEmbeddingImpl::PositionalEmbeddingImpl(std::int64_t num_channels, double max_positions, bool endpoint)
    : num_channels_(num_channels), max_positions_(max_positions), endpoint_(endpoint) {
  TORCH_CHECK(num_channels >= (endpoint ? 4 : 2) && num_channels % 2 == 0, "PositionalEmbedding: bad num_channels ",
              num_channels);
}

torch::Tensor PositionalEmbeddingImpl::forward(const torch::Tensor& v) {
  const auto half = num_channels_ / 2;
  auto freqs = torch::arange(half, v.options().dtype(torch::kFloat32)) / static_cast<double>(half - (endpoint_ ? 1 : 0));
  freqs = torch::pow(1.0 / max_positions_, freqs);
  auto angles = torch::outer(v, freqs.to(v.scalar_type()));
  return torch::cat({angles.cos(), angles.sin()}, 1);
}

FourierEmbeddingImpl::FourierEmbeddingImpl(std::int64_t num_channels, double scale) {
  TORCH_CHECK(num_channels >= 2 && num_channels % 2 == 0, "FourierEmbedding: bad num_channels ", num_channels);
  freqs_ = register_buffer("freqs", torch::randn({num_channels / 2}) * scale);
}

torch::Tensor FourierEmbeddingImpl::forward(const torch::Tensor& v) {
  auto angles = torch::outer(v, (2 * std::numbers::pi * freqs_).to(v.scalar_type()));
  return torch::cat({angles.cos(), angles.sin()}, 1);
}

}  // namespace retrain
