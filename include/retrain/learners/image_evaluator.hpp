// Evaluation of generated images: with a feature extractor, FID, precision, recall, density and
// coverage against the whole real data set (its features cached per data set and extractor in the
// run's cache directory); and the fixed-seed views: grid.png (seeds 0..eval.grid-1), the strip seeds'
// samples (seed_samples.png, the tiles of RUN/plots/seed_strip.png) and their nearest real training
// images (neighbours.png, neighbours.json).
#pragma once
#include <memory>
#include <optional>

#include "retrain/data/image_source.hpp"
#include "retrain/features/feature_extractor.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/learners/learner_options.hpp"
#include "retrain/learners/sample_evaluator.hpp"
#include "retrain/metrics/fid.hpp"

namespace retrain {

class ImageEvaluator final : public SampleEvaluator {
 public:
  // `extractor` may be null (then only the grid is written); `cache_dir` empty = no feature cache;
  // `training` the run's real training images (the draw GenerationManager::run makes for generation 0),
  // whose nearest members neighbours.png shows.
  ImageEvaluator(EvalOptions options, const ImageSource& real, RealDraw training,
                 std::shared_ptr<const FeatureExtractor> extractor, std::filesystem::path cache_dir);
  // fid, precision, recall, density, coverage (k = eval.k; the precision/recall reference is a seeded
  // subset of the real features as large as the generated set).
  nlohmann::json evaluate(const SampleSet& generated, at::Generator& gen, const std::filesystem::path& out_dir) override;
  // eval.grid (0 = no pictures).
  std::int64_t view_count() const override { return options_.grid; }
  // grid.png of every view; seed_samples.png: the first kStripSeeds views in one column without gaps;
  // for those, the kNeighbours nearest of the run's real training images (the data.n images drawn for
  // generation 0) in the extractor's feature space, or in pixels scaled to [0, 1] without one (L2
  // distances): neighbours.png (a row per sample: the sample, then its neighbours, nearest first) and
  // neighbours.json {"space": "features"|"pixels", "rows": [{"seed", "neighbours": [{"index" (in the
  // data set), "distance"}]}]}.
  void write_views(const SampleSet& views, const std::filesystem::path& out_dir) override;

  static constexpr std::int64_t kStripSeeds = 8, kNeighbours = 3;

 private:
  const torch::Tensor& real_features();
  void write_neighbours(const torch::Tensor& samples, const std::filesystem::path& out_dir);

  EvalOptions options_;
  const ImageSource& real_;
  RealDraw training_;
  std::shared_ptr<const FeatureExtractor> extractor_;
  std::filesystem::path cache_dir_;
  torch::Tensor real_features_;             // loaded on first use
  std::optional<FeatureStats> real_stats_;
  torch::Tensor training_indices_;          // data-set indices of the real training images, on first use
};

}  // namespace retrain
