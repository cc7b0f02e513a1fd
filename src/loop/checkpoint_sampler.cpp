// CheckpointSampler: config (given, the run's or the checkpoint's own), network from network.json (checked
// against the config), weights, method; then per-seed sampling in batches with progress.
#include "retrain/loop/checkpoint_sampler.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/core/progress.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/data/quantize.hpp"
#include "retrain/diffusion/make_method.hpp"
#include "retrain/diffusion/sampler.hpp"
#include "retrain/models/make_network.hpp"
#include "retrain/models/state_dict.hpp"

namespace retrain {

namespace {

namespace fs = std::filesystem;

// The config that built the checkpoint: options.config, else the config.yaml of the run directory around
// it, else the checkpoint's own config.yaml (scripts/convert_checkpoint.py writes one).
Config checkpoint_config(const fs::path& checkpoint, const CheckpointSamplerOptions& o) {
  if (!o.config.empty()) return load_config_file(o.config, o.overrides);
  const auto run = fs::absolute(checkpoint).lexically_normal().parent_path();
  if (run_layout::is_run(run)) return load_config_file(run / run_layout::kConfigFile, o.overrides);
  const auto own = checkpoint / kCheckpointConfigFile;
  if (fs::is_regular_file(own)) return load_config_file(own, o.overrides);
  throw UsageError(fmt::format("'{}' is not inside a run directory and holds no {}; pass --config with the model.* and "
                               "method.* keys it was trained with (scripts/convert_checkpoint.py writes {} into the "
                               "checkpoints it converts)", checkpoint.string(), kCheckpointConfigFile,
                               kCheckpointConfigFile));
}

std::vector<std::int64_t> whole_numbers(const std::vector<double>& values) {
  return std::vector<std::int64_t>(values.begin(), values.end());
}

// network.json's "model" (the keys that shape the weights, as scripts/convert_checkpoint.py records them)
// against the config's model.*, presets resolved: a mismatch names the key and both values.
void check_model_keys(const nlohmann::json& model, const ModelOptions& config, const fs::path& network_file) {
  const bool ddpm_unet = config.arch == Arch::ddpm_unet;
  const auto channel_mult = config.channel_mult.empty()
                                ? (ddpm_unet ? std::vector<std::int64_t>{1, 2, 2, 2} : std::vector<std::int64_t>{2, 2, 2})
                                : whole_numbers(config.channel_mult);
  const std::int64_t num_blocks = config.num_blocks > 0 ? config.num_blocks : (ddpm_unet ? 2 : 4);
  const nlohmann::json expected = {{"channels", config.channels},
                                   {"channel_mult", channel_mult},
                                   {"num_blocks", num_blocks},
                                   {"attn_resolutions", whole_numbers(config.attn_resolutions)},
                                   {"augment_dim", config.augment_dim}};
  for (const auto& [key, value] : expected.items()) {
    if (!model.contains(key)) continue;
    if (model.at(key) != value)
      throw UsageError(fmt::format("{} says model.{}: {} but the config says {}", network_file.string(), key,
                                   model.at(key).dump(), value.dump()));
  }
}

}  // namespace

bool is_checkpoint_dir(const fs::path& dir) {
  return fs::is_regular_file(dir / "model.safetensors") || fs::is_regular_file(dir / "ema.safetensors");
}

CheckpointSampler::CheckpointSampler(const fs::path& checkpoint, const CheckpointSamplerOptions& options)
    : checkpoint_(checkpoint), device_(torch::kCPU) {
  const auto network_file = checkpoint / run_layout::kNetworkFile;
  if (!fs::is_regular_file(network_file))
    throw UsageError(fmt::format("'{}' is not a retrain checkpoint: {} is missing (a generation directory of a run, "
                                 "or a directory from scripts/convert_checkpoint.py)", checkpoint.string(),
                                 network_file.filename().string()));
  if (options.weights != "ema" && options.weights != "raw")
    throw UsageError(fmt::format("weights '{}': expected ema or raw", options.weights));
  weights_file_ = checkpoint / (options.weights == "raw" ? "model.safetensors" : "ema.safetensors");
  if (!fs::is_regular_file(weights_file_))
    throw UsageError(fmt::format("'{}' has no {} ({} weights)", checkpoint.string(),
                                 weights_file_.filename().string(), options.weights));
  require_manifest(checkpoint, "checkpoint");
  config_ = checkpoint_config(checkpoint, options);
  nlohmann::json network;
  try {
    network = nlohmann::json::parse(read_file(network_file));
    sample_shape_ = network.at("sample_shape").get<std::vector<std::int64_t>>();
    num_classes_ = network.at("num_classes").get<std::int64_t>();
    const auto arch = network.at("arch").get<std::string>();
    if (arch != choice_name(config_.model.arch))
      throw UsageError(fmt::format("{} says arch '{}' but the config says model.arch: {}", network_file.string(), arch,
                                   config_.model.arch));
    if (network.contains("model")) check_model_keys(network.at("model"), config_.model, network_file);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("{} is not a valid network description: {}", network_file.string(), e.what()));
  }

  device_ = resolve_device(config_.device, config_.gpu);
  net_ = make_network(config_.model, sample_shape_, num_classes_);
  load_state_dict(*net_, load_safetensors(weights_file_), weights_file_);
  net_->to(device_);
  method_ = make_method(config_.method);
}

void CheckpointSampler::draw(const std::vector<std::uint64_t>& seeds, const BatchCallback& on_batch,
                             std::optional<std::int64_t> fixed_class, const std::string& progress_label) const {
  const Sampler sampler(method_,
                        {.sample_shape = sample_shape_,
                         .num_classes = num_classes_,
                         .fixed_class = fixed_class,
                         .batch = config_.method.sample_batch},
                        config_.method.noise);
  std::optional<Progress> progress;
  if (!progress_label.empty()) progress.emplace(progress_label, static_cast<long long>(seeds.size()), "samples", 10.0);
  sampler.draw_batches(*net_, seeds, [&](std::int64_t begin, const SampleSet& s) {
    const auto first = seeds.begin() + begin;
    on_batch(std::vector<std::uint64_t>(first, first + s.x.size(0)), s);
    if (progress) progress->update(static_cast<long long>(begin + s.x.size(0)));
  });
  if (progress) progress->finish();
}

torch::Tensor CheckpointSampler::sample_images(std::uint64_t first, std::int64_t n,
                                               const std::string& progress_label) const {
  if (!images())
    throw UsageError(fmt::format("'{}' holds a model of points (sample shape {}), not of images", checkpoint_.string(),
                                 c10::str(c10::IntArrayRef(sample_shape_))));
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
  for (std::size_t i = 0; i < seeds.size(); ++i) seeds[i] = first + i;
  std::vector<torch::Tensor> parts;
  draw(seeds, [&](const std::vector<std::uint64_t>&, const SampleSet& s) { parts.push_back(quantize_images(s.x)); },
       std::nullopt, progress_label);
  if (parts.empty()) return torch::empty({0, sample_shape_[0], sample_shape_[1], sample_shape_[2]}, torch::kUInt8);
  return torch::cat(parts);
}

}  // namespace retrain
