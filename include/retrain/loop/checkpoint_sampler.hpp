// A sampler for a checkpoint directory (a run's gen_NNNN, or one from scripts/convert_checkpoint.py): the
// network rebuilt from its network.json and the config it was trained with (the run's, or the checkpoint's
// own config.yaml), its weights (EMA by default)
// and the config's method. Sample i of seed s comes from a generator seeded with s itself, so any subset
// of seeds, in any batch size, reproduces the same samples. Used by `retrain sample` and by checkpoint
// inputs of `retrain metrics`.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "retrain/loop/config.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/diffusion/method.hpp"
#include "retrain/models/denoiser.hpp"

namespace retrain {

// The config a checkpoint outside a run may carry itself (scripts/convert_checkpoint.py writes it).
inline constexpr const char* kCheckpointConfigFile = "config.yaml";

struct CheckpointSamplerOptions {
  // The config the checkpoint was trained with (model.* and method.* are used); empty: config.yaml of
  // the run directory around the checkpoint, else the checkpoint's own config.yaml.
  std::filesystem::path config;
  std::vector<Override> overrides;  // applied to that config (e.g. method.steps, device)
  std::string weights = "ema";      // ema (ema.safetensors) | raw (model.safetensors)
};

// True when `dir` holds model.safetensors or ema.safetensors.
bool is_checkpoint_dir(const std::filesystem::path& dir);

class CheckpointSampler {
 public:
  // UsageError naming the checkpoint when network.json or the weights are missing, when no config is given
  // and it is neither inside a run nor holds its own config.yaml, or when network.json and the config
  // disagree about the architecture (arch, and the model.* keys network.json's "model" records:
  // channels, channel_mult, num_blocks, attn_resolutions, augment_dim).
  CheckpointSampler(const std::filesystem::path& checkpoint, const CheckpointSamplerOptions& options);

  // One sample per seed: x float32 [n, ...] on the CPU (labels [n] for conditional models). Samples go
  // through the method `method.sample_batch` at a time; `on_batch(seeds, samples)` sees each batch as it
  // is drawn, and a Progress line labelled `progress_label` reports them (none when the label is empty).
  using BatchCallback = std::function<void(const std::vector<std::uint64_t>& seeds, const SampleSet& samples)>;
  void draw(const std::vector<std::uint64_t>& seeds, const BatchCallback& on_batch,
            std::optional<std::int64_t> fixed_class = std::nullopt, const std::string& progress_label = "sampling") const;
  // The images of seeds [first, first + n) as uint8 [n, C, H, W] (quantize_images), on the CPU. UsageError
  // when the checkpoint does not hold an image model.
  torch::Tensor sample_images(std::uint64_t first, std::int64_t n, const std::string& progress_label = "sampling") const;

  const Config& config() const { return config_; }
  const std::vector<std::int64_t>& sample_shape() const { return sample_shape_; }
  std::int64_t num_classes() const { return num_classes_; }
  bool images() const { return sample_shape_.size() == 3; }
  torch::Device device() const { return device_; }
  const std::filesystem::path& checkpoint() const { return checkpoint_; }
  const std::filesystem::path& weights_file() const { return weights_file_; }

 private:
  std::filesystem::path checkpoint_, weights_file_;
  Config config_;
  std::vector<std::int64_t> sample_shape_;
  std::int64_t num_classes_ = 0;
  torch::Device device_;
  std::shared_ptr<Denoiser> net_;
  std::shared_ptr<Method> method_;
};

}  // namespace retrain
