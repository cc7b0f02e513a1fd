// ImageEvaluator: feature metrics when an extractor is configured; grid, seed tile and nearest real
// neighbours of the fixed-seed views.
#include "retrain/learners/image_evaluator.hpp"

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/metrics/prdc.hpp"
#include "retrain/features/reference_features.hpp"
#include "retrain/plots/image_grid.hpp"
#include "retrain/plots/png.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// L2 distances [Q, I] from each row of `queries` (float64 [Q, D]) to rows `indices` of `bank` [N, ...],
// read `block` rows at a time (a whole image data set in float64 would not fit); uint8 rows (pixels)
// are scaled to [0, 1].
torch::Tensor distances_to(const torch::Tensor& queries, const torch::Tensor& bank, const torch::Tensor& indices) {
  constexpr std::int64_t block = 1024;
  std::vector<torch::Tensor> parts;
  for (std::int64_t begin = 0; begin < indices.size(0); begin += block) {
    auto rows = bank.index_select(0, indices.slice(0, begin, begin + block)).flatten(1).to(torch::kFloat64);
    if (bank.scalar_type() == torch::kUInt8) rows /= 255.0;
    parts.push_back(torch::cdist(queries, rows));
  }
  return torch::cat(parts, 1);
}

}  // namespace

ImageEvaluator::ImageEvaluator(EvalOptions options, const ImageSource& real, RealDraw training,
                               std::shared_ptr<const FeatureExtractor> extractor, std::filesystem::path cache_dir)
    : options_(std::move(options)),
      real_(real),
      training_(training),
      extractor_(std::move(extractor)),
      cache_dir_(std::move(cache_dir)) {
  validate(options_);
  if (!options_.reference_stats.empty()) load_reference_stats(options_.reference_stats);  // fail early
}

const torch::Tensor& ImageEvaluator::real_features() {
  if (!real_features_.defined()) {
    real_features_ = reference_features(real_.dataset().images(), *extractor_, cache_dir_);
    real_stats_ = real_set_stats(real_features_, options_.reference_stats);
  }
  return real_features_;
}

nlohmann::json ImageEvaluator::evaluate(const SampleSet& generated, at::Generator& gen, const std::filesystem::path& out_dir) {
  nlohmann::json m = nlohmann::json::object();
  if (!extractor_) return m;
  const auto n = generated.x.size(0);
  auto reference = real_features();
  const auto fake = extractor_->features(generated.x);
  m["fid"] = fid(*real_stats_, feature_stats(fake));
  if (reference.size(0) > n) reference = reference.index_select(0, torch::randperm(reference.size(0), gen, torch::kLong).narrow(0, 0, n));
  PrdcOptions options;
  options.k = options_.k;
  const auto prdc = precision_recall_density_coverage(reference, fake, options);
  m["precision"] = prdc.precision;
  m["recall"] = prdc.recall;
  m["density"] = prdc.density;
  m["coverage"] = prdc.coverage;
  return m;
}

void ImageEvaluator::write_views(const SampleSet& views, const fs::path& out_dir) {
  if (views.x.size(0) < 1) return;
  write_png(out_dir / "grid.png", image_grid(views.x));
  const auto strip = views.x.narrow(0, 0, std::min(kStripSeeds, views.x.size(0)));
  write_png(out_dir / run_layout::kSeedSamplesFile, image_grid(strip, /*columns=*/1, /*gap=*/0));
  write_neighbours(strip, out_dir);
}

void ImageEvaluator::write_neighbours(const torch::Tensor& samples, const fs::path& out_dir) {
  if (!training_indices_.defined()) {  // the draw GenerationManager::run makes for generation 0
    auto gen = make_generator(training_.seed, 0, Stream::RealData);
    training_indices_ = real_.draw_indices(training_.n, gen);
  }
  const auto& images = real_.dataset().images();
  const bool features = extractor_ != nullptr;
  const auto distances = features
      ? distances_to(extractor_->features(samples).to(torch::kFloat64), real_features(), training_indices_)
      : distances_to(samples.flatten(1).to(torch::kFloat64) / 255.0, images, training_indices_);
  const auto k = std::min(kNeighbours, training_indices_.size(0));
  const auto [nearest, position] = distances.topk(k, 1, /*largest=*/false, /*sorted=*/true);
  const auto index = training_indices_.index({position});  // [S, k] data-set indices

  nlohmann::json rows = nlohmann::json::array();
  std::vector<torch::Tensor> tiles;
  for (std::int64_t s = 0; s < samples.size(0); ++s) {
    nlohmann::json neighbours = nlohmann::json::array();
    tiles.push_back(samples[s]);
    for (std::int64_t j = 0; j < k; ++j) {
      const auto i = index[s][j].item<std::int64_t>();
      neighbours.push_back({{"index", i}, {"distance", nearest[s][j].item<double>()}});
      tiles.push_back(images[i]);
    }
    rows.push_back({{"seed", s}, {"neighbours", neighbours}});
  }
  write_png(out_dir / run_layout::kNeighboursImage, image_grid(torch::stack(tiles), static_cast<int>(k + 1)));
  const nlohmann::json doc = {{"space", features ? "features" : "pixels"}, {"rows", rows}};
  write_file_atomic(out_dir / run_layout::kNeighboursFile, doc.dump(2) + "\n");
}

}  // namespace retrain
