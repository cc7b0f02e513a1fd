// `retrain sample CHECKPOINT --seeds 0-63`: rebuilds the network from the checkpoint's network.json and
// the run's config (or the checkpoint's own config.yaml, or --config) through CheckpointSampler, samples one
// image per seed (generator seeded with the seed itself, so any subset of seeds reproduces the same images)
// and writes {seed:06d}.png into the output folder, which holds nothing else (so `retrain metrics` reads it
// as an image set), and the grid of the first 64 beside it as <folder>-grid.png (points: samples.npy).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "commands.hpp"
#include "options.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/core/seed_list.hpp"
#include "retrain/data/quantize.hpp"
#include "retrain/loop/checkpoint_sampler.hpp"
#include "retrain/learners/diffusion_learner.hpp"
#include "retrain/plots/image_grid.hpp"
#include "retrain/plots/png.hpp"

namespace retrain::cli {

namespace fs = std::filesystem;

namespace {

// The grid of the output folder D goes beside it, D-grid.png: D itself holds the per-seed PNGs only.
fs::path grid_file(const fs::path& out) {
  auto dir = fs::absolute(out).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "samples/" -> "samples"
  return dir.parent_path() / (dir.filename().string() + "-grid.png");
}

}  // namespace

int sample_command(const std::string& checkpoint_text, const SampleOptions& o, const CommonOptions& common) {
  const fs::path checkpoint(checkpoint_text);
  CheckpointSamplerOptions options;
  options.config = common.config;
  options.weights = o.weights;
  options.overrides = overrides_from(common);
  if (o.steps) options.overrides.push_back({"method.steps", std::to_string(*o.steps)});
  if (o.sampler) options.overrides.push_back({"method.sampler", *o.sampler, true});
  if (o.guidance) options.overrides.push_back({"method.guidance", fmt::format("{}", *o.guidance)});
  if (o.batch) options.overrides.push_back({"method.sample_batch", std::to_string(*o.batch)});
  const CheckpointSampler sampler(checkpoint, options);

  const auto seeds = parse_seed_list(o.seeds);
  const fs::path out(o.out);
  fs::create_directories(out);
  spdlog::info("sampling {} seeds from {} ({}, {} classes) on {} into {}", seeds.size(), sampler.weights_file().string(),
               sampler.config().model.arch, sampler.num_classes(), sampler.device().str(), out.string());

  const bool images = sampler.images();
  std::vector<torch::Tensor> kept;
  sampler.draw(seeds, [&](const std::vector<std::uint64_t>& part, const SampleSet& s) {
    if (images) {
      auto u8 = quantize_images(s.x);
      for (std::size_t i = 0; i < part.size(); ++i)
        write_png(out / fmt::format("{:06d}.png", part[i]), tensor_to_image(u8[static_cast<std::int64_t>(i)]));
      if (kept.size() < 64) kept.push_back(u8);
    } else {
      kept.push_back(s.x);
    }
  }, o.class_label);
  if (images) {
    auto all = torch::cat(kept);
    const auto grid = grid_file(out);
    write_png(grid, image_grid(all.narrow(0, 0, std::min<std::int64_t>(all.size(0), 64))));
    spdlog::info("wrote {} PNGs into {} and the grid {}", seeds.size(), out.string(), grid.string());
  } else {
    save_npy(out / "samples.npy", torch::cat(kept));
    spdlog::info("wrote {}", (out / "samples.npy").string());
  }
  return 0;
}

}  // namespace retrain::cli
