// TorchScriptExtractor on small modules scripted by the venv's Python: exact features with and without
// a return_features argument, the grayscale repeat, batching, errors that name the file, and
// make_feature_extractor on .pt/.pth files. The Python runs once per test process (importing torch is
// the slow part).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "retrain/core/checksum.hpp"
#include "retrain/features/make_feature_extractor.hpp"
#include "retrain/features/torchscript_extractor.hpp"
#include "retrain/core/errors.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// features.pt: forward(img, return_features) -> per-channel means (or a dummy logit without the flag);
// plain.pt: forward(img) -> 2 * the top-left 2x2 pixels, [B, 3, 2, 2]; nonfinite.pt: divides by zero;
// scalar.pt: one number for the whole batch.
constexpr const char* kScript = R"(
import sys
import torch

class Features(torch.nn.Module):
    def forward(self, img: torch.Tensor, return_features: bool = False) -> torch.Tensor:
        if return_features:
            return img.float().mean(dim=[2, 3])
        return torch.zeros(img.shape[0], 1)

class Plain(torch.nn.Module):
    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return img[:, :, :2, :2].float() * 2

class NonFinite(torch.nn.Module):
    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return img.float().flatten(1) / 0.0

class Scalar(torch.nn.Module):
    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return img.float().sum()

out = sys.argv[1]
for name, module in [("features", Features()), ("plain", Plain()), ("nonfinite", NonFinite()), ("scalar", Scalar())]:
    torch.jit.script(module).save(f"{out}/{name}.pt")
)";

class FeatureExtractorTorchScript : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir;
    test::write_text(*dir_ / "make_modules.py", kScript);
    const auto command = fmt::format("'{}' '{}' '{}'", test::kPython, (*dir_ / "make_modules.py").string(),
                                     dir_->path().string());
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path module(const std::string& name) { return *dir_ / (name + ".pt"); }
  static torch::Tensor random_images(std::int64_t n, std::int64_t channels) {
    torch::manual_seed(7);
    return torch::randint(0, 256, {n, channels, 4, 5}, torch::kUInt8);
  }

  static test::ScratchDir* dir_;
};
test::ScratchDir* FeatureExtractorTorchScript::dir_ = nullptr;

TEST_F(FeatureExtractorTorchScript, PassesReturnFeaturesAndReturnsExactValues) {
  const TorchScriptExtractor extractor(module("features"), {});
  EXPECT_NE(extractor.describe().find("feature count known after"), std::string::npos) << extractor.describe();
  const auto images = random_images(5, 3);
  const auto features = extractor.features(images);
  EXPECT_EQ(features.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(features, images.to(torch::kFloat32).mean({2, 3})));
  EXPECT_EQ(extractor.describe(), "torchscript features.pt (3 features)");
  const auto file = module("features");
  EXPECT_EQ(extractor.id(), fmt::format("{}-{}", hex32(crc32_file(file)), fs::file_size(file)));
}

TEST_F(FeatureExtractorTorchScript, RepeatsGrayscaleToThreeChannels) {
  const TorchScriptExtractor extractor(module("features"), {});
  const auto gray = random_images(4, 1);
  const auto features = extractor.features(gray);
  const auto mean = gray.to(torch::kFloat32).mean({2, 3});
  EXPECT_TRUE(torch::equal(features, mean.repeat({1, 3})));
}

TEST_F(FeatureExtractorTorchScript, BatchesGiveTheSameFeaturesAsOneCall) {
  const auto images = random_images(10, 3);
  const TorchScriptExtractor in_threes(module("plain"), {torch::kCPU, 3}), at_once(module("plain"), {torch::kCPU, 64});
  const auto batched = in_threes.features(images);
  EXPECT_TRUE(torch::equal(batched, at_once.features(images)));
  EXPECT_EQ(batched.sizes(), (std::vector<std::int64_t>{10, 12}));
}

TEST_F(FeatureExtractorTorchScript, CallsForwardWithoutReturnFeaturesOnTheImagesAlone) {
  const TorchScriptExtractor extractor(module("plain"), {});
  const auto images = random_images(2, 3);
  const auto expected = (images.slice(2, 0, 2).slice(3, 0, 2).to(torch::kFloat32) * 2).flatten(1);
  EXPECT_TRUE(torch::equal(extractor.features(images), expected));
}

TEST_F(FeatureExtractorTorchScript, ErrorsNameTheFileAndTheReason) {
  const auto missing = dir_->path() / "missing.pt";
  EXPECT_NE(test::message_of<UsageError>([&] { TorchScriptExtractor(missing, {}); }).find(missing.string() + "' does not exist"),
            std::string::npos);
  const auto junk = dir_->path() / "junk.pt";
  test::write_text(junk, "not a zip archive");
  EXPECT_NE(test::message_of<UsageError>([&] { TorchScriptExtractor(junk, {}); }).find(junk.string() + "' is not a loadable TorchScript"),
            std::string::npos);

  const auto images = random_images(2, 3);
  const TorchScriptExtractor nonfinite(module("nonfinite"), {}), scalar(module("scalar"), {});
  auto message = test::message_of<UsageError>([&] { nonfinite.features(images); });
  EXPECT_NE(message.find("nonfinite.pt"), std::string::npos) << message;
  EXPECT_NE(message.find("NaN or Inf"), std::string::npos) << message;
  message = test::message_of<UsageError>([&] { scalar.features(images); });
  EXPECT_NE(message.find("scalar.pt"), std::string::npos) << message;
  EXPECT_NE(message.find("expected [batch, features...]"), std::string::npos) << message;
  message = test::message_of<UsageError>([&] { scalar.features(random_images(2, 2)); });
  EXPECT_NE(message.find("2 channels"), std::string::npos) << message;
  message = test::message_of<UsageError>([&] { scalar.features(images.to(torch::kFloat32)); });
  EXPECT_NE(message.find("uint8"), std::string::npos) << message;
}

TEST_F(FeatureExtractorTorchScript, MakeFeatureExtractorLoadsTorchScriptFiles) {
  const auto copy = dir_->path() / "copy.pth";
  fs::copy_file(module("plain"), copy, fs::copy_options::overwrite_existing);
  for (const auto& file : {module("plain"), copy}) {
    const auto extractor = make_feature_extractor(file.string(), torch::kCPU, 2);
    ASSERT_NE(dynamic_cast<TorchScriptExtractor*>(extractor.get()), nullptr) << file;
    EXPECT_EQ(extractor->features(random_images(5, 3)).sizes(), (std::vector<std::int64_t>{5, 12}));
  }
}

}  // namespace
}  // namespace retrain
