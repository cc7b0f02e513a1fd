// learner.type -> Learner, checked against the data source it needs.
#pragma once
#include <memory>

#include "retrain/core/config.hpp"
#include "retrain/data/point_source.hpp"
#include "retrain/loop/learner.hpp"

namespace retrain {

std::unique_ptr<Learner> make_learner(const Config& config, const PointSource& source, torch::Device device);

}  // namespace retrain
