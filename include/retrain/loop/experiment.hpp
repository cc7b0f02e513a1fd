// Assembles one experiment from its config (source, learner, correction) and runs the generation loop
// in a run directory: the single entry point behind `retrain run`, `retrain resume` and the demo.
#pragma once
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>

#include "retrain/dist/world.hpp"
#include "retrain/features/feature_extractor.hpp"
#include "retrain/loop/run_dir.hpp"

namespace retrain {

// Builds every piece of the experiment once (on CPU) without running it, so choices that only the
// pieces can check (a toy set's name, a method's sampler) fail before a run directory is created.
// Returns the learner's model summary (see Learner::model_summary).
nlohmann::json check_experiment(const Config& config);

// The network's size (as check_experiment) built from the config alone, without reading the data set:
// an image network's shape comes from data.format (IDX: 1 channel, others RGB) and data.resolution.
// For `retrain info` on a machine that does not have the data yet.
nlohmann::json configured_network_size(const Config& config);

// The feature extractor named by eval.extractor, on `device`; null when the key is empty.
std::shared_ptr<const FeatureExtractor> configured_extractor(const Config& config, torch::Device device);

// The run directory on every rank of `world`: rank 0 opens it with `open_on_root` (creating it or
// taking its lock), then the other ranks open it for reading (with `generations` as rank 0 did).
RunDir open_on_every_rank(const World& world, const std::filesystem::path& dir, std::optional<std::int64_t> generations,
                          const std::function<RunDir()>& open_on_root);

// Runs or continues the experiment of `run`; returns the last evaluated generation's metrics. On a
// World of several processes, every rank calls it with its view of the run (open_on_every_rank).
nlohmann::json run_experiment(RunDir& run, const World& world = {});

}  // namespace retrain
