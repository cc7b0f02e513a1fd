// DdpmUNet: the U-Net of Ho et al. (2020) as re-implemented in tqch/ddpm-torch (models/unet.py), with
// that repository's module tree so its checkpoints load by name; optional class conditioning added.
#pragma once
#include <torch/nn/modules/container/moduledict.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/embedding.h>

#include <vector>

#include "retrain/models/denoiser.hpp"

namespace retrain {

// Defaults: the CIFAR-10 configuration of ddpm-torch (configs/cifar10.json).
struct DdpmUNetOptions {
  std::int64_t img_resolution = 32;
  std::int64_t in_channels = 3;
  std::int64_t out_channels = 3;
  std::int64_t hid_channels = 128;                    // base width, also the timestep-embedding input width
  std::vector<std::int64_t> ch_multipliers = {1, 2, 2, 2};
  std::int64_t num_res_blocks = 2;
  std::vector<bool> apply_attn = {false, true, false, false};  // per level (16x16 for CIFAR-10)
  std::int64_t time_embedding_dim = 0;                // 0 = 4 * hid_channels
  double drop_rate = 0.1;
  std::int64_t num_classes = 0;  // 0 = unconditional (the reference); else a learned class embedding
};

// State-dict names as ddpm-torch's: embed.{0,2}, in_conv, downsamples.level_<i>.<j>[.0|.1],
// middle.{0,1,2}, upsamples.level_<i>.<j>[.0|.1], out_conv.{0,2}, plus class_embed when conditional.
// Residual blocks: norm1, conv1, fc, norm2, conv2, [skip]; attention: norm, project_in, project_out.
// forward(x [N,C,R,R], t [N] (the step as float), labels [N] int64) -> [N,C',R,R].
class DdpmUNet final : public Denoiser {
 public:
  explicit DdpmUNet(const DdpmUNetOptions& options);

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& noise_level, const torch::Tensor& labels) override;
  std::shared_ptr<Denoiser> replicate() const override;
  const DdpmUNetOptions& options() const { return options_; }

 private:
  // A residual block optionally followed by attention (ddpm-torch's Sequential(ResidualBlock, AttentionBlock)).
  struct Stage {
    std::shared_ptr<torch::nn::Module> residual, attention;
  };
  Stage make_stage(torch::nn::ModuleList& list, std::int64_t level, std::int64_t cin, std::int64_t cout);
  torch::Tensor run_stage(const Stage& stage, const torch::Tensor& x, const torch::Tensor& t_emb) const;

  DdpmUNetOptions options_;
  std::int64_t temb_dim_;
  torch::nn::Sequential embed_{nullptr}, out_conv_{nullptr};
  torch::nn::Conv2d in_conv_{nullptr};
  torch::nn::ModuleDict downsamples_{nullptr}, upsamples_{nullptr};
  torch::nn::ModuleList middle_{nullptr};
  torch::nn::Embedding class_embed_{nullptr};
  std::vector<std::vector<Stage>> down_stages_, up_stages_;  // per level
  std::vector<torch::nn::Sequential> down_resample_, up_resample_;  // per level; null where none
  Stage middle_first_, middle_second_;
};

// ddpm-torch's get_timestep_embedding: [sin(t f_k), cos(t f_k)], f_k = exp(-k ln(10000) / (half - 1)).
torch::Tensor ddpm_timestep_embedding(const torch::Tensor& t, std::int64_t dim);

}  // namespace retrain
