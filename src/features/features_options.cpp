// The features.* keys (features_options.hpp).
#include "retrain/features/features_options.hpp"

namespace retrain {
namespace {

using option_detail::kInf;

const OptionTable<ClassifierOptions>& classifier_table() {
  static const auto table = OptionTable<ClassifierOptions>()
      .number("features.epochs", &ClassifierOptions::epochs, 1, kInf,
        "`retrain features train`: epochs over the labelled training images.")
      .number("features.batch", &ClassifierOptions::batch_size, 1, kInf,
        "`retrain features train`: minibatch size.")
      .number("features.lr", &ClassifierOptions::lr, 1e-12, kInf,
        "`retrain features train`: Adam learning rate.")
      .number("features.dropout", &ClassifierOptions::dropout, 0, 0.999,
        "`retrain features train`: dropout on the features while training.");
  return table;
}

}  // namespace

const OptionTable<FeaturesOptions>& features_option_table() {
  static const auto table = OptionTable<FeaturesOptions>()
      .text("features.test_path", &FeaturesOptions::test_path,
        "`retrain features train`: held-out images in data.format (cifar10: ignored, the test split is used).")
      .text("features.test_labels", &FeaturesOptions::test_labels,
        "`retrain features train`, idx: the held-out labels file.")
      .nest(&FeaturesOptions::classifier, classifier_table());
  return table;
}

}  // namespace retrain
