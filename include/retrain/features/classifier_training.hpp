// Trains the built-in ImageClassifier on a labelled ImageDataset (reproducibly from one generator) and
// measures its accuracy on a held-out set.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "retrain/data/image_dataset.hpp"
#include "retrain/features/classifier.hpp"

namespace retrain {

// The features.epochs, .batch, .lr and .dropout keys (features_options.hpp) hold these defaults.
struct ClassifierOptions {
  std::int64_t epochs = 5;
  std::int64_t batch_size = 32;
  double lr = 2e-3;  // Adam (FusedAdam, no weight decay)
  std::int64_t feature_dim = 128;
  double dropout = 0.25;  // on the features during training only
  torch::Device device = torch::kCPU;
};

struct ClassifierTrainingStats {
  double test_accuracy = 0.0;  // fraction of test images classified correctly
  std::int64_t train_size = 0, test_size = 0, epochs = 0, steps = 0;
  double final_train_loss = 0.0;  // mean cross-entropy over the last epoch
  double seconds = 0.0;
};

struct ClassifierTrainingResult {
  std::shared_ptr<ImageClassifier> classifier;  // on options.device, in eval mode
  ClassifierTrainingStats stats;
};

struct ClassifierEpochProgress {
  std::int64_t epoch, epochs;  // epoch counts from 1
  double train_loss;           // mean cross-entropy over this epoch
  double train_accuracy;       // on this epoch's batches, with dropout
};
using ClassifierProgressCallback = std::function<void(const ClassifierEpochProgress&)>;

// Trains a fresh classifier shaped after `train` (channels, resolution, num_classes) with weights drawn
// from `gen`; every epoch is a fresh permutation from `gen` cut into batches (the last may be smaller),
// as are the dropout masks, so the same generator state gives the same weights. `progress` is called
// after every epoch. UsageError when a set is unlabelled, empty, not square, the two sets differ in
// image shape, a test label is not a train class, or an option is out of range.
ClassifierTrainingResult train_classifier(const ImageDataset& train, const ImageDataset& test,
                                          const ClassifierOptions& options, at::Generator& gen,
                                          const ClassifierProgressCallback& progress = {});

// Fraction of `data`'s images that `classifier` (in eval mode, on `device`) labels correctly.
double classifier_accuracy(ImageClassifier& classifier, const ImageDataset& data, std::int64_t batch_size,
                           torch::Device device);

}  // namespace retrain
