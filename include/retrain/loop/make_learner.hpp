// learner.type -> Learner, checked against the data it needs: the Gaussian learner needs a Gaussian
// source; the diffusion learner takes points or images. Part of the composition root: each learner and
// evaluator gets its options from the config here, by value.
#pragma once
#include <memory>

#include "retrain/data/real_data.hpp"
#include "retrain/dist/world.hpp"
#include "retrain/features/feature_extractor.hpp"
#include "retrain/learners/learner.hpp"
#include "retrain/loop/config.hpp"

namespace retrain {

// `extractor` (may be null) gives image evaluations their feature metrics; `cache_dir` (may be empty)
// keeps the real set's features between evaluations and resumes. A diffusion learner on a World of
// several processes trains data-parallel (the Gaussian learner is refused there).
std::unique_ptr<Learner> make_learner(const Config& config, const RealData& real, torch::Device device,
                                      std::shared_ptr<const FeatureExtractor> extractor = nullptr,
                                      const std::filesystem::path& cache_dir = {}, const World& world = {});

}  // namespace retrain
