// Feature inputs: .npy matrices are loaded and checked; image sets (folder, EDM, config) are read and
// passed through the feature extractor; checkpoints are sampled first.
#include "retrain/loop/feature_input.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "retrain/loop/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/data/make_image_dataset.hpp"
#include "retrain/loop/checkpoint_sampler.hpp"

namespace retrain {

namespace {

namespace fs = std::filesystem;

constexpr const char* kAccepted =
    "a .npy file, an .npz of statistics, an image folder, an EDM zip, a config (.yaml) or a checkpoint directory";

torch::Tensor load_feature_npy(const fs::path& path) {
  if (!fs::exists(path)) throw UsageError(fmt::format("feature file '{}' does not exist", path.string()));
  torch::Tensor features;
  try {
    features = load_npy(path);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());  // names the file and what is wrong with it
  }
  if (features.dim() != 2 || features.size(0) == 0 || features.size(1) == 0)
    throw UsageError(fmt::format("feature file '{}' holds shape {}; expected a non-empty [N, D] matrix",
                                 path.string(), c10::str(features.sizes())));
  if (features.scalar_type() != torch::kFloat32 && features.scalar_type() != torch::kFloat64)
    throw UsageError(fmt::format("feature file '{}' holds {} values; expected float32 or float64 features", path.string(),
                                 c10::toString(features.scalar_type())));
  return features;
}

// The images of data.* in the config at `path`: the draw the run takes as its fixed real set.
torch::Tensor config_images(const fs::path& path) {
  const Config config = load_config_file(path);
  if (config.data.source != DataSource::image)
    throw UsageError(fmt::format("config '{}' has data.source: {}; expected image", path.string(), config.data.source));
  const auto source = ImageSource::from_config(config.data);
  auto gen = make_generator(config.seed, 0, Stream::RealData);
  return source.draw(1, config.data.n, gen).x[0];
}

// What kind of input `path` is: "config", "checkpoint", "edm" or "folder"; UsageError when it is none of them.
std::string image_input_kind(const fs::path& path) {
  const auto extension = path.extension();
  if (extension == ".yaml" || extension == ".yml") return "config";
  if (!fs::exists(path)) throw UsageError(fmt::format("'{}' does not exist; expected {}", path.string(), kAccepted));
  if (fs::is_directory(path) && is_checkpoint_dir(path)) return "checkpoint";
  if (extension == ".zip" || (fs::is_directory(path) && fs::exists(path / "dataset.json"))) return "edm";
  if (fs::is_directory(path)) return "folder";
  throw UsageError(fmt::format("'{}' is not {}", path.string(), kAccepted));
}

// uint8 [N, C, H, W] of the image set `path` of the given kind.
torch::Tensor input_images(const fs::path& path, const std::string& kind) {
  if (kind == "config") return config_images(path);
  ImageDatasetConfig dataset;
  dataset.format = *parse_choice<DataFormat>(kind);  // "edm" or "folder", from input_kind
  dataset.path = path;
  return make_image_dataset(dataset).images();
}

// Features of the samples of seeds 0 .. n-1 of the checkpoint at `path`.
torch::Tensor checkpoint_features(const fs::path& path, const FeatureExtractor* extractor, std::int64_t max_images,
                                  const CheckpointInputOptions& options) {
  CheckpointSamplerOptions sampler_options;
  sampler_options.config = options.config;
  if (!options.device.empty()) sampler_options.overrides.push_back({"device", options.device});
  const CheckpointSampler sampler(path, sampler_options);
  const auto n = max_images > 0 ? max_images : kDefaultCheckpointSamples;
  const auto label = fmt::format("sampling {}", path.string());
  if (!sampler.images()) {  // points: the samples are the features
    std::vector<std::uint64_t> seeds(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < seeds.size(); ++i) seeds[i] = i;
    std::vector<torch::Tensor> parts;
    sampler.draw(seeds, [&](const std::vector<std::uint64_t>&, const SampleSet& s) { parts.push_back(s.x); },
                 std::nullopt, label);
    return torch::cat(parts).to(torch::kFloat32);
  }
  if (extractor == nullptr)
    throw UsageError(fmt::format("'{}' is a checkpoint of an image model; its samples need --extractor SPEC (a "
                                 "classifier directory or a TorchScript file) to turn them into features",
                                 path.string()));
  return extractor->features(sampler.sample_images(0, n, label));
}

}  // namespace

torch::Tensor load_feature_input(const std::string& spec, const FeatureExtractor* extractor, std::int64_t max_images,
                                 const CheckpointInputOptions& checkpoint) {
  const fs::path path(spec);
  if (path.extension() == ".npy") return load_feature_npy(path);
  if (path.extension() == ".npz")
    throw UsageError(fmt::format("'{}' holds statistics (mu, sigma), not features; it can be an input of FID only",
                                 spec));
  const auto kind = image_input_kind(path);
  if (kind == "checkpoint") return checkpoint_features(path, extractor, max_images, checkpoint);
  if (extractor == nullptr)
    throw UsageError(fmt::format("'{}' is an image input ({}); image inputs need --extractor SPEC (a classifier "
                                 "directory or a TorchScript file) to turn them into features", spec, kind));
  torch::Tensor images;
  try {
    images = input_images(path, kind);
  } catch (const UsageError&) {
    throw;
  } catch (const std::runtime_error& e) {  // the readers' errors about the files' contents
    throw UsageError(fmt::format("cannot read the images of '{}': {}", spec, e.what()));
  }
  if (max_images > 0) images = images.slice(0, 0, max_images);
  return extractor->features(images);
}

FeatureSet load_feature_set(const std::string& spec, const FeatureExtractor* extractor, std::int64_t max_images,
                            const CheckpointInputOptions& checkpoint) {
  if (fs::path(spec).extension() == ".npz") return {torch::Tensor(), load_reference_stats(spec)};
  auto features = load_feature_input(spec, extractor, max_images, checkpoint);
  auto stats = feature_stats(features);
  return {std::move(features), std::move(stats)};
}

}  // namespace retrain
