// MlpDenoiser: option checks, the noise-level embedding and the residual forward pass.
#include "retrain/models/mlp_denoiser.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <numbers>

#include "retrain/core/errors.hpp"
#include "retrain/core/require.hpp"
#include "retrain/models/state_dict.hpp"

namespace retrain {
namespace {

}  // namespace

MlpDenoiser::MlpDenoiser(const MlpDenoiserOptions& options) : options_(options) {
  require(options.dim >= 1, "MLP denoiser", "dim", options.dim, ">= 1");
  require(options.width >= 1, "MLP denoiser", "width", options.width, ">= 1");
  require(options.depth >= 0, "MLP denoiser", "depth", options.depth, ">= 0");
  require(options.embedding_dim >= 2 && options.embedding_dim % 2 == 0, "MLP denoiser", "embedding_dim", options.embedding_dim,
          "an even number >= 2");
  require(options.num_classes >= 0, "MLP denoiser", "num_classes", options.num_classes, ">= 0");
  const auto w = options.width;
  noise_fc0_ = register_module("noise_fc0", torch::nn::Linear(options.embedding_dim, w));
  noise_fc1_ = register_module("noise_fc1", torch::nn::Linear(w, w));
  if (options.num_classes > 0) class_embed_ = register_module("class_embed", torch::nn::Embedding(options.num_classes, w));
  input_ = register_module("input", torch::nn::Linear(options.dim, w));
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < options.depth; ++i) blocks_->push_back(torch::nn::Linear(w, w));
  output_ = register_module("output", torch::nn::Linear(w, options.dim));
  if (options.embedding == NoiseEmbedding::fourier)
    fourier_freqs_ = register_buffer("fourier_freqs", torch::randn({options.embedding_dim / 2}) * options.fourier_scale);
}

torch::Tensor MlpDenoiser::embed_noise(const torch::Tensor& noise_level) const {
  const auto half = options_.embedding_dim / 2;
  torch::Tensor freqs;
  if (options_.embedding == NoiseEmbedding::fourier) {
    freqs = fourier_freqs_ * (2 * std::numbers::pi);
  } else {
    auto k = torch::arange(half, noise_level.options().dtype(torch::kFloat32)) / static_cast<double>(half);
    freqs = torch::pow(1.0 / options_.max_positions, k);
  }
  auto angles = noise_level.to(freqs.scalar_type()).unsqueeze(1) * freqs.to(noise_level.device()).unsqueeze(0);
  return torch::cat({angles.cos(), angles.sin()}, 1);
}

torch::Tensor MlpDenoiser::forward(const torch::Tensor& x, const torch::Tensor& noise_level, const torch::Tensor& labels) {
  TORCH_CHECK(x.dim() == 2 && x.size(1) == options_.dim, "MlpDenoiser expects x [N, ", options_.dim, "], got ",
              x.sizes());
  TORCH_CHECK(noise_level.dim() == 1 && noise_level.size(0) == x.size(0), "MlpDenoiser expects noise_level [",
              x.size(0), "], got ", noise_level.sizes());
  auto c = noise_fc1_(torch::silu(noise_fc0_(embed_noise(noise_level))));
  if (class_embed_) {
    TORCH_CHECK(labels.defined(), "MlpDenoiser with ", options_.num_classes, " classes needs labels");
    c = c + class_embed_(labels);
  }
  auto h = input_(x);
  for (const auto& block : *blocks_) h = h + block->as<torch::nn::Linear>()->forward(torch::silu(h + c));
  return output_(torch::silu(h));
}

std::shared_ptr<Denoiser> MlpDenoiser::replicate() const { return replicate_network(*this); }

}  // namespace retrain
