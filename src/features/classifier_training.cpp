// train_classifier: option and data checks, the seeded epoch loop with FusedAdam and dropout masks
// drawn from the caller's generator, and the held-out accuracy.
#include "retrain/features/classifier_training.hpp"

#include <fmt/format.h>
#include <torch/nn/functional/loss.h>

#include <chrono>
#include <utility>
#include <vector>

#include "retrain/core/errors.hpp"
#include "retrain/optim/fused_adam.hpp"

namespace retrain {
namespace {

void check_options(const ClassifierOptions& o) {
  const auto fail = [](const std::string& what) { throw UsageError("classifier training: " + what); };
  if (o.epochs < 1) fail(fmt::format("epochs = {} is invalid; expected >= 1", o.epochs));
  if (o.batch_size < 1) fail(fmt::format("batch_size = {} is invalid; expected >= 1", o.batch_size));
  if (!(o.lr > 0.0)) fail(fmt::format("lr = {} is invalid; expected > 0", o.lr));
  if (!(o.dropout >= 0.0 && o.dropout < 1.0)) fail(fmt::format("dropout = {} is invalid; expected in [0, 1)", o.dropout));
}

void check_labelled(const ImageDataset& data, const char* role) {
  if (!data.has_labels())
    throw UsageError(fmt::format("classifier training: the {} set '{}' has no labels", role, data.name()));
  if (data.size() == 0)
    throw UsageError(fmt::format("classifier training: the {} set '{}' is empty", role, data.name()));
}

// Shapes the network after `train` and checks that `test` fits it.
ClassifierArchitecture architecture_for(const ImageDataset& train, const ImageDataset& test,
                                        std::int64_t feature_dim) {
  check_labelled(train, "training");
  check_labelled(test, "test");
  const auto shape = train.shape();
  if (shape[1] != shape[2])
    throw UsageError(fmt::format("classifier training: '{}' has {}x{} images; expected square ones", train.name(),
                                 shape[1], shape[2]));
  if (test.shape() != shape)
    throw UsageError(fmt::format("classifier training: test set '{}' has images {}, training set '{}' has {}",
                                 test.name(), c10::str(c10::IntArrayRef(test.shape())), train.name(),
                                 c10::str(c10::IntArrayRef(shape))));
  if (test.labels().max().item<std::int64_t>() >= train.num_classes())
    throw UsageError(fmt::format("classifier training: test set '{}' has labels up to {}, the training set '{}' "
                                 "only {} classes",
                                 test.name(), test.labels().max().item<std::int64_t>(), train.name(),
                                 train.num_classes()));
  return {shape[0], shape[1], train.num_classes(), feature_dim};
}

std::vector<std::pair<std::string, torch::Tensor>> named_parameters(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& p : module.named_parameters()) out.emplace_back(p.key(), p.value());
  return out;
}

}  // namespace

double classifier_accuracy(ImageClassifier& classifier, const ImageDataset& data, std::int64_t batch_size,
                           torch::Device device) {
  torch::NoGradGuard no_grad;
  const bool was_training = classifier.is_training();
  classifier.eval();
  std::int64_t correct = 0;
  for (std::int64_t start = 0; start < data.size(); start += batch_size) {
    const auto batch = data.batch(torch::arange(start, std::min(start + batch_size, data.size()), torch::kLong));
    const auto predicted = classifier.forward(batch.images.to(device)).argmax(1).to(torch::kCPU);
    correct += predicted.eq(batch.labels).sum().item<std::int64_t>();
  }
  classifier.train(was_training);
  return static_cast<double>(correct) / static_cast<double>(data.size());
}

ClassifierTrainingResult train_classifier(const ImageDataset& train, const ImageDataset& test,
                                          const ClassifierOptions& options, at::Generator& gen,
                                          const ClassifierProgressCallback& progress) {
  check_options(options);
  const auto start_time = std::chrono::steady_clock::now();
  auto classifier = std::make_shared<ImageClassifier>(architecture_for(train, test, options.feature_dim));
  classifier->reset_parameters(gen);
  classifier->to(options.device);
  classifier->train();
  FusedAdam optimizer(named_parameters(*classifier), FusedAdamOptions{});

  ClassifierTrainingStats stats;
  stats.train_size = train.size();
  stats.test_size = test.size();
  stats.epochs = options.epochs;
  const double keep = 1.0 - options.dropout;
  for (std::int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto order = at::randperm(train.size(), gen, torch::kLong);
    // Summed on the device; read back once per epoch so the steps do not wait for each other.
    auto loss_sum = torch::zeros({1}, torch::TensorOptions(options.device));
    auto correct = torch::zeros({1}, torch::TensorOptions(options.device).dtype(torch::kLong));
    for (std::int64_t start = 0; start < train.size(); start += options.batch_size) {
      const auto batch = train.batch(order.slice(0, start, start + options.batch_size));
      const auto images = batch.images.to(options.device), labels = batch.labels.to(options.device);
      auto features = classifier->features(images);
      if (options.dropout > 0.0) {
        const auto mask = torch::empty(features.sizes(), torch::kFloat32).bernoulli_(keep, gen) / keep;
        features = features * mask.to(options.device);
      }
      const auto logits = classifier->classify(features);
      const auto loss = torch::nn::functional::cross_entropy(logits, labels);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step(options.lr);
      loss_sum += loss.detach() * static_cast<double>(labels.size(0));
      correct += logits.argmax(1).eq(labels).sum();
      ++stats.steps;
    }
    stats.final_train_loss = loss_sum.item<double>() / static_cast<double>(train.size());
    if (progress)
      progress({epoch, options.epochs, stats.final_train_loss,
                static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(train.size())});
  }
  classifier->eval();
  stats.test_accuracy = classifier_accuracy(*classifier, test, options.batch_size, options.device);
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
  return {std::move(classifier), stats};
}

}  // namespace retrain
