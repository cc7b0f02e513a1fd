// SongUNet: NVlabs/edm's re-implementation of the DDPM++ and NCSN++ U-Nets (Song et al. 2021), with the
// reference's module tree, so an official checkpoint's state dict loads by name.
#pragma once
#include <torch/nn/modules/container/moduledict.h>

#include <vector>

#include "retrain/models/denoiser.hpp"
#include "retrain/models/edm_embeddings.hpp"
#include "retrain/models/mlp_denoiser.hpp"
#include "retrain/models/unet_block.hpp"

namespace retrain {

enum class UNetEncoder { standard, skip, residual };
enum class UNetDecoder { standard, skip };

// Defaults are those of edm's SongUNet constructor; the presets are edm's train.py architectures.
struct SongUNetOptions {
  std::int64_t img_resolution = 32;
  std::int64_t in_channels = 3;
  std::int64_t out_channels = 3;
  std::int64_t label_dim = 0;    // classes; 0 = unconditional
  std::int64_t augment_dim = 0;  // augmentation-label features; 0 = none (labels are always zero here)
  std::int64_t model_channels = 128;
  std::vector<std::int64_t> channel_mult = {1, 2, 2, 2};
  std::int64_t channel_mult_emb = 4;
  std::int64_t num_blocks = 4;
  std::vector<std::int64_t> attn_resolutions = {16};
  double dropout = 0.10;
  double label_dropout = 0.0;  // training-time probability of zeroing a sample's class (guidance)
  NoiseEmbedding embedding_type = NoiseEmbedding::positional;
  std::int64_t channel_mult_noise = 1;
  UNetEncoder encoder_type = UNetEncoder::standard;
  UNetDecoder decoder_type = UNetDecoder::standard;
  std::vector<double> resample_filter = {1, 1};

  // DDPM++ (edm --arch=ddpmpp): positional embedding, standard encoder/decoder, filter [1,1],
  // channel_mult {2,2,2}, channel_mult_noise 1.
  static SongUNetOptions ddpmpp(std::int64_t img_resolution = 32, std::int64_t channels = 3, std::int64_t label_dim = 0);
  // NCSN++ (edm --arch=ncsnpp): Fourier embedding, residual encoder, standard decoder (as edm's train.py),
  // filter [1,3,3,1], channel_mult {2,2,2}, channel_mult_noise 2.
  static SongUNetOptions ncsnpp(std::int64_t img_resolution = 32, std::int64_t channels = 3, std::int64_t label_dim = 0);
};

// State-dict names as edm's: map_noise[.freqs], [map_label], [map_augment], map_layer0, map_layer1,
// enc.<R>x<R>_{conv, down, aux_down, aux_skip, aux_residual, block<i>}, dec.<R>x<R>_{in0, in1, up,
// block<i>, aux_up, aux_norm, aux_conv}. forward(x [N,C,R,R], c_noise [N], labels [N] int64) -> [N,C',R,R].
class SongUNet final : public Denoiser {
 public:
  explicit SongUNet(const SongUNetOptions& options);

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& noise_level, const torch::Tensor& labels) override;
  std::shared_ptr<Denoiser> replicate() const override;
  const SongUNetOptions& options() const { return options_; }

 private:
  // What a ModuleDict entry does in the forward pass (edm keys this on substrings of the names).
  enum class Role { conv, block, block_with_skip, aux_down, aux_skip, aux_residual, aux_up, aux_norm, aux_conv };
  struct Step {
    Role role;
    std::shared_ptr<torch::nn::Module> module;
  };

  // Each returns the trunk's channel count after it; the encoder pushes, the decoder pops skip widths.
  std::int64_t build_encoder(const UNetBlockOptions& block, std::vector<std::int64_t>& skips);
  void build_decoder(const UNetBlockOptions& block, std::vector<std::int64_t>& skips, std::int64_t cout);
  void add(torch::nn::ModuleDict& dict, std::vector<Step>& steps, const std::string& name, Role role,
           std::shared_ptr<torch::nn::Module> module);
  torch::Tensor embed(const torch::Tensor& noise_level, const torch::Tensor& labels, std::int64_t batch);

  SongUNetOptions options_;
  PositionalEmbedding positional_{nullptr};  // map_noise for NoiseEmbedding::positional
  FourierEmbedding fourier_{nullptr};        // map_noise for NoiseEmbedding::fourier
  EdmLinear map_label_{nullptr}, map_augment_{nullptr}, map_layer0_{nullptr}, map_layer1_{nullptr};
  torch::nn::ModuleDict enc_{nullptr}, dec_{nullptr};
  std::vector<Step> enc_steps_, dec_steps_;
};

}  // namespace retrain
