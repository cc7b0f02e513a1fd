// loop.correction.type -> Correction.
#include <fmt/format.h>

#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/correction/kmeans_correction.hpp"
#include "retrain/correction/nearest_mode.hpp"
#include "retrain/correction/oracle_mixture.hpp"
#include "retrain/correction/torchscript_correction.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/features/feature_extractor.hpp"
#include "retrain/features/reference_features.hpp"

namespace retrain {
namespace {

const PointSource& require_points(const CorrectionOptions& config, const RealData& real) {
  if (const auto* points = real.points()) return *points;
  throw UsageError(fmt::format("loop.correction.type: {} needs a point source; {} is not one", config.type, real.describe()));
}

// Paper 2's k-means correction over the run's fixed real set (the same draw the generation loop uses).
std::unique_ptr<Correction> make_kmeans(const CorrectionOptions& corr, const RealData& real, const RealDraw& draw,
                                        const FeatureExtractor* extractor, const std::filesystem::path& cache_dir) {
  const bool features = corr.space == CorrectionSpace::features;
  if (features && !extractor) throw UsageError("loop.correction.space: features needs eval.extractor");
  auto real_gen = make_generator(draw.seed, 0, Stream::RealData);
  const auto set = real.draw(1, draw.n, real_gen);
  const auto images = set.x[0].to(torch::kFloat32) / 127.5 - 1.0;
  const auto labels = set.labels.defined() ? set.labels[0] : torch::Tensor();
  const auto key = fmt::format("{}-k{}-{}-seed{}", image_fingerprint(set.x[0]), corr.k,
                               features ? extractor->id() : std::string("pixel"), draw.seed);
  auto gen = make_generator(draw.seed, 0, Stream::Correction);
  const auto* space = features ? extractor : nullptr;
  if (cache_dir.empty()) return std::make_unique<KMeansCorrection>(images, labels, corr.k, corr.strength, space, gen);
  std::filesystem::create_directories(cache_dir);
  return std::make_unique<KMeansCorrection>(KMeansCorrection::load_or_compute(
      cache_dir / "kmeans.safetensors", key, images, labels, corr.k, corr.strength, space, gen));
}

}  // namespace

std::unique_ptr<Correction> make_correction(const CorrectionOptions& config, const RealData& real, const RealDraw& draw,
                                            const FeatureExtractor* extractor, const std::filesystem::path& cache_dir,
                                            torch::Device device) {
  validate(config);
  switch (config.type) {
    case CorrectionType::none: return std::make_unique<IdentityCorrection>();
    case CorrectionType::oracle_mixture:
      return std::make_unique<OracleMixtureCorrection>(require_points(config, real), config.gamma);
    case CorrectionType::nearest_mode: {
      const auto& truth = require_points(config, real);
      auto modes = truth.modes();
      if (!modes)
        throw UsageError(fmt::format("loop.correction.type: nearest_mode needs a source with point modes (toy2d "
                                     "8gaussians); {} has none", truth.describe()));
      return std::make_unique<NearestModeCorrection>(modes->centers, config.strength);
    }
    case CorrectionType::kmeans: return make_kmeans(config, real, draw, extractor, cache_dir);
    case CorrectionType::torchscript: break;
  }
  return std::make_unique<TorchScriptCorrection>(config.module, device, config.batch);
}

}  // namespace retrain
