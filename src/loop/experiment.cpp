// run_experiment: factories + GenerationManager, with a header in the log.
#include "retrain/loop/experiment.hpp"

#include <spdlog/spdlog.h>

#include "retrain/core/device.hpp"
#include "retrain/correction/correction.hpp"
#include "retrain/learners/make_learner.hpp"
#include "retrain/loop/generation_manager.hpp"

namespace retrain {

nlohmann::json check_experiment(const Config& config) {
  auto source = make_point_source(config.data);
  auto learner = make_learner(config, *source, torch::kCPU);
  make_correction(config.loop.correction, *source);
  return learner->model_summary();
}

nlohmann::json run_experiment(RunDir& run) {
  const Config& cfg = run.config();
  const torch::Device device = resolve_device(cfg.device);
  auto source = make_point_source(cfg.data);
  auto learner = make_learner(cfg, *source, device);
  auto correction = make_correction(cfg.loop.correction, *source);
  spdlog::info("run {} | config hash {} | device {}", run.path().string(), config_hash(cfg), device.str());
  spdlog::info("data: {} | n {} | learner {} x{} | T {} | lambda {} ({} synthetic/gen) | real {} | synthetic {} | "
               "correction {}",
               source->describe(), cfg.data.n, cfg.learner.type, cfg.learner.replicas, cfg.loop.generations,
               cfg.loop.lambda, GenerationManager::synthetic_count(cfg.loop.lambda, cfg.data.n), cfg.loop.real,
               cfg.loop.synthetic, correction->describe());
  GenerationManager manager(run, *source, *learner, *correction, device);
  return manager.run();
}

}  // namespace retrain
