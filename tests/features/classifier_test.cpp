// The built-in classifier: it learns three easily separable synthetic classes, is reproducible from a
// seed, survives a save/load round trip bit for bit, and make_feature_extractor loads it and rejects
// junk (its TorchScript case is in torchscript_extractor_test.cpp, next to the scripted modules).
// Optionally (when the data is installed) one epoch on 5000 Fashion-MNIST images.
#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/checksum.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/data/dataset_options.hpp"
#include "retrain/data/idx.hpp"
#include "retrain/features/classifier_extractor.hpp"
#include "retrain/features/classifier_store.hpp"
#include "retrain/features/classifier_training.hpp"
#include "retrain/features/make_feature_extractor.hpp"
#include "retrain/models/state_dict.hpp"
#include "retrain/core/errors.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// 1x16x16 images: dim noise with a bright 5x5 blob near the top-left (class 0), top-right (class 1) or
// bottom-left (class 2) corner, jittered by up to 2 pixels.
ImageDataset corner_blobs(std::int64_t n, std::uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto images = torch::randint(0, 60, {n, 1, 16, 16}, gen, torch::kLong);
  auto labels = torch::randint(0, 3, {n}, gen, torch::kLong);
  const auto jitter = torch::randint(0, 3, {n, 2}, gen, torch::kLong);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto label = labels[i].item<std::int64_t>();
    const auto row = (label == 2 ? 9 : 0) + jitter[i][0].item<std::int64_t>();
    const auto col = (label == 1 ? 9 : 0) + jitter[i][1].item<std::int64_t>();
    images[i].slice(1, row, row + 5).slice(2, col, col + 5).fill_(230);
  }
  return ImageDataset(fmt::format("corner blobs {}", seed), images.to(torch::kUInt8), labels, 3);
}

ClassifierOptions fast_options() {
  ClassifierOptions options;
  options.epochs = 3;
  options.batch_size = 32;
  options.lr = 2e-3;
  options.feature_dim = 32;
  options.dropout = 0.5;
  return options;
}

ClassifierTrainingResult train_on_blobs(std::uint64_t seed, std::int64_t epochs) {
  auto options = fast_options();
  options.epochs = epochs;
  auto gen = make_generator(seed, 0, Stream::Fit);
  return train_classifier(corner_blobs(300, 1), corner_blobs(90, 2), options, gen);
}

// One classifier trained for one epoch from seed 5, shared by the tests that only need some classifier.
const ClassifierTrainingResult& shared_classifier() {
  static const auto trained = train_on_blobs(5, 1);
  return trained;
}

TEST(ClassifierTraining, SeparatesThreeSyntheticClasses) {
  auto options = fast_options();
  auto gen = make_generator(11, 0, Stream::Fit);
  std::vector<ClassifierEpochProgress> reports;
  const auto result = train_classifier(corner_blobs(300, 1), corner_blobs(90, 2), options, gen,
                                       [&](const ClassifierEpochProgress& p) { reports.push_back(p); });
  EXPECT_GT(result.stats.test_accuracy, 0.9);
  EXPECT_EQ(result.stats.train_size, 300);
  EXPECT_EQ(result.stats.test_size, 90);
  EXPECT_EQ(result.stats.steps, 3 * 10);  // ceil(300 / 32) batches per epoch
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports.back().epoch, 3);
  EXPECT_LT(reports.back().train_loss, reports.front().train_loss);
  EXPECT_DOUBLE_EQ(reports.back().train_loss, result.stats.final_train_loss);
  EXPECT_FALSE(result.classifier->is_training());
}

TEST(ClassifierTraining, SameSeedGivesIdenticalWeights) {
  const auto a = state_dict(*shared_classifier().classifier), b = state_dict(*train_on_blobs(5, 1).classifier),
             c = state_dict(*train_on_blobs(6, 1).classifier);
  for (const auto& [name, tensor] : a) {
    EXPECT_TRUE(torch::equal(tensor, b.at(name))) << name;
    EXPECT_FALSE(torch::equal(tensor, c.at(name))) << name;
  }
}

TEST(ClassifierTraining, RejectsUnusableData) {
  auto gen = make_generator(1, 0, Stream::Fit);
  const auto blobs = corner_blobs(20, 1);
  const ImageDataset unlabelled("no labels", blobs.images(), {}, 0);
  auto message = test::message_of<UsageError>([&] { train_classifier(unlabelled, blobs, fast_options(), gen); });
  EXPECT_NE(message.find("'no labels' has no labels"), std::string::npos) << message;
  const ImageDataset wide("wide", torch::zeros({4, 1, 16, 8}, torch::kUInt8), torch::zeros({4}, torch::kLong), 3);
  message = test::message_of<UsageError>([&] { train_classifier(blobs, wide, fast_options(), gen); });
  EXPECT_NE(message.find("test set 'wide' has images [1, 16, 8]"), std::string::npos) << message;
  auto options = fast_options();
  options.epochs = 0;
  message = test::message_of<UsageError>([&] { train_classifier(blobs, blobs, options, gen); });
  EXPECT_NE(message.find("epochs = 0"), std::string::npos) << message;
}

TEST(ClassifierStore, RoundTripGivesIdenticalFeatures) {
  test::ScratchDir dir;
  const auto& trained = shared_classifier();
  save_classifier(dir / "clf", *trained.classifier, trained.stats);
  const ClassifierExtractor extractor(dir / "clf", {}), in_sevens(dir / "clf", {torch::kCPU, 7});

  const auto images = corner_blobs(20, 4).images();
  torch::NoGradGuard no_grad;
  const auto expected = trained.classifier->features(images.to(torch::kFloat32) / 127.5 - 1.0);
  const auto features = extractor.features(images);
  EXPECT_EQ(features.sizes(), (std::vector<std::int64_t>{20, 32}));
  EXPECT_TRUE(torch::equal(features, expected));
  EXPECT_TRUE(torch::allclose(in_sevens.features(images), expected, 1e-5, 1e-6));
  EXPECT_EQ(extractor.id(), hex32(crc32_file(dir / "clf" / kClassifierWeightsFile)));
  EXPECT_NE(extractor.describe().find("32 features"), std::string::npos) << extractor.describe();

  const auto info = nlohmann::json::parse(read_file(dir / "clf" / kClassifierInfoFile));
  EXPECT_EQ(info["architecture"]["resolution"], 16);
  EXPECT_EQ(info["architecture"]["num_classes"], 3);
  EXPECT_EQ(info["train_size"], 300);
  EXPECT_DOUBLE_EQ(info["test_accuracy"].get<double>(), trained.stats.test_accuracy);
}

TEST(ClassifierStore, ErrorsNameTheFileAndTheProblem) {
  test::ScratchDir dir;
  const auto& trained = shared_classifier();
  const auto clf = dir / "clf";
  const auto info_file = clf / kClassifierInfoFile, weights_file = clf / kClassifierWeightsFile;
  auto message = test::message_of<UsageError>([&] { ClassifierExtractor(clf, {}); });
  EXPECT_NE(message.find(info_file.string() + "' is missing"), std::string::npos) << message;

  save_classifier(clf, *trained.classifier, trained.stats);
  const ClassifierExtractor extractor(clf, {});
  message = test::message_of<UsageError>([&] { extractor.features(torch::zeros({2, 3, 16, 16}, torch::kUInt8)); });
  EXPECT_NE(message.find("trained on 1x16x16 images, got 3x16x16"), std::string::npos) << message;

  auto info = nlohmann::json::parse(read_file(info_file));
  info["architecture"].erase("feature_dim");
  write_file_atomic(info_file, info.dump());
  message = test::message_of<UsageError>([&] { ClassifierExtractor(clf, {}); });
  EXPECT_NE(message.find(info_file.string()), std::string::npos) << message;
  EXPECT_NE(message.find("\"feature_dim\""), std::string::npos) << message;

  info["architecture"]["feature_dim"] = 16;  // the weights hold 32
  write_file_atomic(info_file, info.dump());
  message = test::message_of<UsageError>([&] { ClassifierExtractor(clf, {}); });
  EXPECT_NE(message.find("does not match its architecture"), std::string::npos) << message;
  EXPECT_NE(message.find(weights_file.string()), std::string::npos) << message;

  write_file_atomic(weights_file, read_file(weights_file) + "x");
  message = test::message_of<UsageError>([&] { ClassifierExtractor(clf, {}); });
  EXPECT_NE(message.find(weights_file.string() + "' has CRC-32"), std::string::npos) << message;
}

TEST(ClassifierMakeFeatureExtractor, LoadsAClassifierDirectory) {
  test::ScratchDir dir;
  const auto& trained = shared_classifier();
  save_classifier(dir / "clf", *trained.classifier, trained.stats);
  const auto extractor = make_feature_extractor((dir / "clf").string(), torch::kCPU);
  EXPECT_NE(dynamic_cast<ClassifierExtractor*>(extractor.get()), nullptr);
}

TEST(ClassifierMakeFeatureExtractor, RejectsAnythingElseListingTheAcceptedForms) {
  test::ScratchDir dir;
  test::write_text(dir / "weights.bin", "junk");
  fs::create_directories(dir / "empty");
  for (const auto& [spec, reason] : std::vector<std::pair<fs::path, std::string>>{
           {dir / "missing.pt", "does not exist"},
           {dir / "weights.bin", "is not a .pt, .pth or .zip file"},
           {dir / "empty", "is a directory without classifier.json"}}) {
    const auto message = test::message_of<UsageError>([&] { make_feature_extractor(spec.string(), torch::kCPU); });
    EXPECT_NE(message.find(fmt::format("'{}' {}", spec.string(), reason)), std::string::npos) << message;
    EXPECT_NE(message.find("classifier directory"), std::string::npos) << message;
    EXPECT_NE(message.find("TorchScript file"), std::string::npos) << message;
  }
}

TEST(ClassifierFashionMnist, OneEpochOnFiveThousandImages) {
  const fs::path root = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(root / "train-images-idx3-ubyte.gz")) GTEST_SKIP() << root << " is not installed";
  DatasetOptions train_subset, test_subset;
  train_subset.max_size = 5000;
  train_subset.seed = 1;
  test_subset.max_size = 2000;
  test_subset.seed = 2;
  const auto train = apply_options(
      read_idx(root / "train-images-idx3-ubyte.gz", root / "train-labels-idx1-ubyte.gz"), train_subset);
  const auto test = apply_options(
      read_idx(root / "t10k-images-idx3-ubyte.gz", root / "t10k-labels-idx1-ubyte.gz"), test_subset);
  ClassifierOptions options;
  options.epochs = 1;
  // One epoch: more, smaller and bolder steps learn more for the same compute (0.755 with the
  // defaults lr 1e-3, dropout 0.5 at batch 32; 0.778 with these).
  options.batch_size = 32;
  options.lr = 2e-3;
  options.dropout = 0.25;
  auto gen = make_generator(1, 0, Stream::Fit);
  // One thread: on a shared, oversubscribed 2-core machine the OpenMP barriers of a 2-thread run
  // spin and made this ~2 s training take ~50 s.
  const auto threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const auto result = train_classifier(train, test, options, gen);
  torch::set_num_threads(threads);
  EXPECT_GT(result.stats.test_accuracy, 0.75);
  std::cout << fmt::format("Fashion-MNIST: test accuracy {:.3f} after {} steps in {:.1f} s\n",
                           result.stats.test_accuracy, result.stats.steps, result.stats.seconds);
}

}  // namespace
}  // namespace retrain
