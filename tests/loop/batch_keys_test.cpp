// The batch keys reach what they size, through the composition root: eval.batch is the images per
// call of eval.extractor's network, loop.correction.batch the images per call of a TorchScript
// correction (method.sample_batch sized both before). The scripted modules report the batch they saw.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "retrain/core/rng.hpp"
#include "retrain/correction/correction.hpp"
#include "retrain/data/data_options.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/loop/experiment.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

// extractor.pt: one feature per image, the size of the batch it came in; correction.pt: every pixel
// becomes the size of its batch / 1000.
constexpr const char* kScript = R"(
import sys
import torch

class BatchFeature(torch.nn.Module):
    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return torch.full([img.shape[0], 1], float(img.shape[0]))

class BatchStamp(torch.nn.Module):
    def forward(self, img: torch.Tensor) -> torch.Tensor:
        return torch.full_like(img, img.shape[0] / 1000.0)

torch.jit.script(BatchFeature()).save(sys.argv[1] + "/extractor.pt")
torch.jit.script(BatchStamp()).save(sys.argv[1] + "/correction.pt")
)";

class BatchKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_text(dir_ / "make_modules.py", kScript);
    const auto command = fmt::format("'{}' '{}' '{}'", test::kPython, (dir_ / "make_modules.py").string(), dir_.path().string());
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  test::ScratchDir dir_;
};

TEST_F(BatchKeys, EvalBatchSizesTheExtractorsCalls) {
  const auto config = load_config_text(
      fmt::format("data: {{source: image, path: x}}\nlearner: {{type: diffusion}}\nmodel: {{arch: ddpmpp}}\n"
                  "eval: {{extractor: '{}', batch: 7}}\n", (dir_ / "extractor.pt").string()),
      "batch.yaml");
  const auto extractor = configured_extractor(config, torch::kCPU);
  ASSERT_TRUE(extractor);
  const auto features = extractor->features(torch::zeros({20, 3, 4, 4}, torch::kUInt8)).flatten();
  const auto expected = torch::cat({torch::full({14}, 7.0), torch::full({6}, 6.0)});
  EXPECT_TRUE(torch::equal(features.to(torch::kFloat64), expected.to(torch::kFloat64))) << features;
}

TEST_F(BatchKeys, CorrectionBatchSizesTheModulesCalls) {
  CorrectionOptions options;
  options.type = CorrectionType::torchscript;
  options.module = (dir_ / "correction.pt").string();
  options.batch = 4;
  DataOptions data;
  data.dim = 2;
  const auto real = make_real_data(data);
  const auto correction = make_correction(options, *real, {0, data.n});
  auto gen = make_generator(0, 0, Stream::Correction);
  const auto corrected = correction->apply(torch::zeros({1, 10, 1, 2, 2}), torch::Tensor(), gen);
  const auto per_sample = corrected[0].flatten(1).select(1, 0);
  const auto expected = torch::tensor({4, 4, 4, 4, 4, 4, 4, 4, 2, 2}, torch::kFloat32) / 1000.0;
  EXPECT_TRUE(torch::allclose(per_sample, expected)) << per_sample;
}

}  // namespace
}  // namespace retrain
