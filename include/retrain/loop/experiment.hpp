// Assembles one experiment from its config (source, learner, correction) and runs the generation loop
// in a run directory: the single entry point behind `retrain run`, `retrain resume` and the demo.
#pragma once
#include <nlohmann/json.hpp>

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

// Runs or continues the experiment of `run`; returns the last evaluated generation's metrics.
nlohmann::json run_experiment(RunDir& run);

}  // namespace retrain
