// run_experiment: factories + GenerationManager, with a header in the log.
#include "retrain/loop/experiment.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/correction/correction.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/features/make_feature_extractor.hpp"
#include "retrain/loop/make_learner.hpp"
#include "retrain/loop/generation_manager.hpp"
#include "retrain/models/make_network.hpp"
#include "retrain/models/network_size.hpp"

namespace retrain {

std::shared_ptr<const FeatureExtractor> configured_extractor(const Config& config, torch::Device device) {
  if (config.eval.extractor.empty()) return nullptr;
  return make_feature_extractor(config.eval.extractor, device, config.eval.batch);
}

namespace {

// An image data set's sample shape and class count as far as the config alone tells them.
std::pair<std::vector<std::int64_t>, std::int64_t> image_shape_from_config(const DataOptions& d) {
  const std::int64_t side = d.resolution > 0 ? d.resolution : d.pad_to;
  if (side <= 0)
    throw UsageError("the data set is not readable and data.resolution is 0: set data.resolution to size the network");
  const std::int64_t channels = d.format == DataFormat::idx ? 1 : 3;  // IDX is greyscale; the others are read as RGB
  std::int64_t classes = 0;
  if (d.use_labels) {
    if (d.format != DataFormat::cifar10) throw UsageError("the number of classes is known only from the data set, which is not readable");
    classes = 10;
  }
  return {{channels, side, side}, classes};
}

}  // namespace

nlohmann::json configured_network_size(const Config& config) {
  if (config.learner.type != LearnerType::diffusion || config.data.source != DataSource::image) return check_experiment(config);
  const auto [shape, classes] = image_shape_from_config(config.data);
  torch::manual_seed(0);
  return network_size(*make_network(config.model, shape, classes));
}

nlohmann::json check_experiment(const Config& config) {
  auto real = make_real_data(config.data);
  auto learner = make_learner(config, *real, torch::kCPU, configured_extractor(config, torch::kCPU));
  if (config.loop.correction.type != CorrectionType::kmeans) make_correction(config.loop.correction, *real, {config.seed, config.data.n});  // k-means is built by the run (slow)
  return learner->model_summary();
}

RunDir open_on_every_rank(const World& world, const std::filesystem::path& dir, std::optional<std::int64_t> generations,
                          const std::function<RunDir()>& open_on_root) {
  if (world.root()) {
    RunDir run = open_on_root();
    world.barrier();
    return run;
  }
  world.barrier();
  return RunDir::open_for_reading(dir, generations);
}

nlohmann::json run_experiment(RunDir& run, const World& world) {
  const Config& cfg = run.config();
  const torch::Device device = world.distributed() ? world.device() : resolve_device(cfg.device, cfg.gpu);
  auto real = make_real_data(cfg.data);
  auto extractor = configured_extractor(cfg, device);
  // Only rank 0 evaluates, so only it keeps the real features; the correction's cache (k-means) is
  // made by rank 0 first and read by the others.
  const auto cache = run.file("cache");
  auto learner = make_learner(cfg, *real, device, extractor, world.root() ? cache : std::filesystem::path(), world);
  std::shared_ptr<const Correction> correction;
  world.root_first([&] { correction = make_correction(cfg.loop.correction, *real, {cfg.seed, cfg.data.n}, extractor.get(), cache, device); });
  spdlog::info("run {} | config hash {} | device {}{}", run.path().string(), config_hash(cfg), device.str(),
               world.distributed() ? fmt::format(" | {} processes", world.size()) : "");
  spdlog::info("data: {} | n {} | learner {} x{} | T {} | lambda {} | real {} | synthetic {} | correction {}",
               real->describe(), cfg.data.n == 0 ? std::string("all") : std::to_string(cfg.data.n), cfg.learner.type,
               cfg.learner.replicas, cfg.loop.generations, cfg.loop.lambda, cfg.loop.real, cfg.loop.synthetic,
               correction->describe());
  if (auto summary = learner->model_summary(); summary.contains("parameters"))
    spdlog::info("network: {} ({} parameters)", cfg.model.arch, summary["parameters"].get<std::int64_t>());
  GenerationManager manager(run, *real, *learner, *correction, device, world);
  return manager.run();
}

}  // namespace retrain
