// `retrain sample CHECKPOINT --seeds 0-63`: rebuilds the network from the checkpoint's network.json and
// the run's config (or --config), samples one image per seed (generator seeded with the seed itself,
// so any subset of seeds reproduces the same images) and writes {seed:06d}.png plus grid.png (points:
// samples.npy).
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "commands.hpp"
#include "options.hpp"
#include "retrain/core/atomic_file.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/core/progress.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/core/seed_list.hpp"
#include "retrain/diffusion/draw_samples.hpp"
#include "retrain/learners/diffusion_learner.hpp"
#include "retrain/loop/run_dir.hpp"
#include "retrain/models/make_network.hpp"
#include "retrain/plots/image_grid.hpp"
#include "retrain/plots/png.hpp"

namespace retrain::cli {
namespace {

namespace fs = std::filesystem;

// The config that built the checkpoint: --config, else the run directory around it.
Config checkpoint_config(const fs::path& checkpoint, const SampleOptions& o, const CommonOptions& common) {
  auto overrides = overrides_from(common);
  if (o.steps) overrides.push_back({"method.steps", std::to_string(*o.steps)});
  if (o.sampler) overrides.push_back({"method.sampler", *o.sampler, true});
  if (o.guidance) overrides.push_back({"method.guidance", fmt::format("{}", *o.guidance)});
  if (o.batch) overrides.push_back({"method.sample_batch", std::to_string(*o.batch)});
  if (!common.config.empty()) return load_config_file(common.config, overrides);
  const auto run = fs::absolute(checkpoint).lexically_normal().parent_path();
  if (!RunDir::is_run(run))
    throw UsageError(fmt::format("'{}' is not inside a run directory; pass --config with the model.* and method.* "
                                 "keys it was trained with", checkpoint.string()));
  return load_config_file(run / "config.yaml", overrides);
}

}  // namespace

int sample_command(const std::string& checkpoint_text, const SampleOptions& o, const CommonOptions& common) {
  const fs::path checkpoint(checkpoint_text);
  const auto network_file = checkpoint / "network.json";
  if (!fs::is_regular_file(network_file))
    throw UsageError(fmt::format("'{}' is not a retrain checkpoint: {} is missing (a generation directory of a run, "
                                 "or a directory from scripts/convert_checkpoint.py)", checkpoint.string(),
                                 network_file.filename().string()));
  const Config config = checkpoint_config(checkpoint, o, common);
  const auto network = nlohmann::json::parse(read_file(network_file));
  const auto shape = network.at("sample_shape").get<std::vector<std::int64_t>>();
  const auto num_classes = network.at("num_classes").get<std::int64_t>();
  if (network.at("arch").get<std::string>() != config.model.arch)
    throw UsageError(fmt::format("{} says arch '{}' but the config says model.arch: {}", network_file.string(),
                                 network.at("arch").get<std::string>(), config.model.arch));

  const auto device = resolve_device(config.device);
  auto net = make_network(config.model, shape, num_classes);
  const auto weights = checkpoint / (o.weights == "raw" ? "model.safetensors" : "ema.safetensors");
  load_state_dict(*net, load_safetensors(weights), weights);
  net->to(device);
  auto method = make_method(method_options(config.method));

  const auto seeds = parse_seed_list(o.seeds);
  DrawOptions draw;
  draw.sample_shape = shape;
  draw.num_classes = num_classes;
  draw.fixed_class = o.class_label;
  draw.batch = config.method.sample_batch;
  const fs::path out(o.out);
  fs::create_directories(out);
  spdlog::info("sampling {} seeds from {} ({}, {} classes) on {} into {}", seeds.size(), weights.string(),
               config.model.arch, num_classes, device.str(), out.string());

  const bool images = shape.size() == 3;
  std::vector<torch::Tensor> kept;
  Progress progress("sampling", static_cast<long long>(seeds.size()), "samples", 10.0);
  const auto chunk = static_cast<std::size_t>(draw.batch);
  for (std::size_t begin = 0; begin < seeds.size(); begin += chunk) {
    const std::vector<std::uint64_t> part(seeds.begin() + begin, seeds.begin() + std::min(seeds.size(), begin + chunk));
    auto s = draw_samples(*method, *net, static_cast<std::int64_t>(part.size()), SampleNoise::per_sample(part), draw);
    if (images) {
      auto u8 = quantize_images(s.x);
      for (std::size_t i = 0; i < part.size(); ++i)
        write_png(out / fmt::format("{:06d}.png", part[i]), tensor_to_image(u8[static_cast<std::int64_t>(i)]));
      if (kept.size() < 64) kept.push_back(u8);
    } else {
      kept.push_back(s.x);
    }
    progress.update(static_cast<long long>(begin + part.size()));
  }
  progress.finish();
  if (images) {
    auto all = torch::cat(kept);
    write_png(out / "grid.png", image_grid(all.narrow(0, 0, std::min<std::int64_t>(all.size(0), 64))));
    spdlog::info("wrote {} PNGs and {}", seeds.size(), (out / "grid.png").string());
  } else {
    save_npy(out / "samples.npy", torch::cat(kept));
    spdlog::info("wrote {}", (out / "samples.npy").string());
  }
  return 0;
}

}  // namespace retrain::cli
