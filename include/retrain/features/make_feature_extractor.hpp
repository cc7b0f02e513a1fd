// One entry point from a `features` setting to a FeatureExtractor: a classifier directory or a
// TorchScript file.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "retrain/features/batched_features.hpp"
#include "retrain/features/feature_extractor.hpp"

namespace retrain {

// `spec` is a directory holding classifier.json (-> ClassifierExtractor) or a .pt/.pth/.zip file
// (-> TorchScriptExtractor). Anything else is a UsageError naming `spec` and the two accepted forms.
std::unique_ptr<FeatureExtractor> make_feature_extractor(const std::string& spec, torch::Device device,
                                                         std::int64_t batch_size = ExtractorOptions{}.batch_size);

}  // namespace retrain
