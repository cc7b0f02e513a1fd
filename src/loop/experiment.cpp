// run_experiment: factories + GenerationManager, with a header in the log.
#include "retrain/loop/experiment.hpp"

#include <spdlog/spdlog.h>

#include "retrain/core/device.hpp"
#include "retrain/correction/correction.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/learners/make_learner.hpp"
#include "retrain/loop/generation_manager.hpp"

namespace retrain {

nlohmann::json check_experiment(const Config& config) {
  auto real = make_real_data(config.data);
  auto learner = make_learner(config, *real, torch::kCPU);
  make_correction(config.loop.correction, *real);
  return learner->model_summary();
}

nlohmann::json run_experiment(RunDir& run) {
  const Config& cfg = run.config();
  const torch::Device device = resolve_device(cfg.device);
  auto real = make_real_data(cfg.data);
  auto learner = make_learner(cfg, *real, device);
  auto correction = make_correction(cfg.loop.correction, *real);
  spdlog::info("run {} | config hash {} | device {}", run.path().string(), config_hash(cfg), device.str());
  spdlog::info("data: {} | n {} | learner {} x{} | T {} | lambda {} | real {} | synthetic {} | correction {}",
               real->describe(), cfg.data.n == 0 ? std::string("all") : std::to_string(cfg.data.n), cfg.learner.type,
               cfg.learner.replicas, cfg.loop.generations, cfg.loop.lambda, cfg.loop.real, cfg.loop.synthetic,
               correction->describe());
  if (auto summary = learner->model_summary(); summary.contains("parameters"))
    spdlog::info("network: {} ({} parameters)", cfg.model.arch, summary["parameters"].get<std::int64_t>());
  GenerationManager manager(run, *real, *learner, *correction, device);
  return manager.run();
}

}  // namespace retrain
