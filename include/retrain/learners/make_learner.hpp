// learner.type -> Learner, checked against the data it needs: the Gaussian learner needs a Gaussian
// source; the diffusion learner takes points or images.
#pragma once
#include <memory>

#include "retrain/core/config.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/loop/learner.hpp"

namespace retrain {

std::unique_ptr<Learner> make_learner(const Config& config, const RealData& real, torch::Device device);

}  // namespace retrain
