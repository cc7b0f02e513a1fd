// The features.* keys of `retrain features train`: the held-out set and the built-in classifier's
// training (ClassifierOptions, classifier_training.hpp, holds those defaults); features_option_table()
// registers them.
#pragma once
#include <string>

#include "retrain/core/options.hpp"
#include "retrain/features/classifier_training.hpp"

namespace retrain {

struct FeaturesOptions {
  std::string test_path;        // held-out images (same format as data.*); cifar10: test split
  std::string test_labels;      // idx: held-out labels file
  ClassifierOptions classifier;
};

const OptionTable<FeaturesOptions>& features_option_table();

}  // namespace retrain
