// A residual MLP denoiser for points [N, D]: the noise level enters through a sinusoidal (positional)
// or random Fourier embedding, the class (optional) through a learned embedding; SiLU activations.
#pragma once
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "retrain/core/choices.hpp"
#include "retrain/models/denoiser.hpp"

namespace retrain {


struct MlpDenoiserOptions {
  std::int64_t dim = 2;             // D, the point dimension
  std::int64_t width = 256;         // hidden width
  std::int64_t depth = 4;           // residual blocks
  std::int64_t embedding_dim = 64;  // noise-level features (even)
  NoiseEmbedding embedding = NoiseEmbedding::positional;
  double max_positions = 10000.0;   // positional embedding only
  double fourier_scale = 16.0;      // fourier embedding only
  std::int64_t num_classes = 0;     // 0 = unconditional (labels are ignored)
};

// Names in the state dict: noise_fc0, noise_fc1, [class_embed], input, blocks.<i>, output,
// [fourier_freqs]. h = input(x); h += blocks_i(silu(h + c)) for each block; out = output(silu(h)),
// where c = noise_fc1(silu(noise_fc0(embed(noise_level)))) + class_embed(labels).
class MlpDenoiser final : public Denoiser {
 public:
  explicit MlpDenoiser(const MlpDenoiserOptions& options);

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& noise_level, const torch::Tensor& labels) override;
  std::shared_ptr<Denoiser> replicate() const override;
  const MlpDenoiserOptions& options() const { return options_; }

 private:
  torch::Tensor embed_noise(const torch::Tensor& noise_level) const;

  MlpDenoiserOptions options_;
  torch::nn::Linear noise_fc0_{nullptr}, noise_fc1_{nullptr}, input_{nullptr}, output_{nullptr};
  torch::nn::Embedding class_embed_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};
  torch::Tensor fourier_freqs_;
};

}  // namespace retrain
