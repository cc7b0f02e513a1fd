// scripts/make_inception.py end to end on random weights of the FID Inception architecture (no Inception
// weights can be downloaded here): tests/scripts/inception_reference.py writes a pytorch-fid-style state
// dict, a pickled detector under other names (as EDM's inception-2015-12-05.pkl), a StyleGAN2-ADA-style
// TorchScript and the features the eager network gives; the converted TorchScript files, loaded by
// TorchScriptExtractor as eval.extractor loads them, must give those features.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "retrain/core/npy.hpp"
#include "retrain/features/torchscript_extractor.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

const fs::path kScriptsDir = fs::path(test::kSourceDir) / "scripts";
const fs::path kTestScriptsDir = fs::path(test::kSourceDir) / "tests" / "scripts";

// `python args...` with PYTHONPATH set to `pythonpath` (unset when empty).
test::ProcessResult python(const std::vector<std::string>& args, const std::string& pythonpath = "") {
  auto all = pythonpath.empty() ? std::vector<std::string>{"-u", "PYTHONPATH"}
                                : std::vector<std::string>{"PYTHONPATH=" + pythonpath};
  all.push_back(test::kPython);
  all.insert(all.end(), args.begin(), args.end());
  return test::run_program("/usr/bin/env", all);
}

test::ProcessResult make_inception(const std::vector<std::string>& args, const std::string& pythonpath = "") {
  std::vector<std::string> all{(kScriptsDir / "make_inception.py").string()};
  all.insert(all.end(), args.begin(), args.end());
  return python(all, pythonpath);
}

torch::Tensor features_of(const fs::path& network, const torch::Tensor& images) {
  return TorchScriptExtractor(network, {.device = torch::kCPU}).features(images);
}

void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, double relative, const std::string& what) {
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const double scale = expected.abs().max().item<double>();
  EXPECT_GT(scale, 0) << what;
  EXPECT_LT((actual - expected).abs().max().item<double>(), relative * scale) << what;
}

class MakeInception : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir;
    const auto made = python({(kTestScriptsDir / "inception_reference.py").string(), dir_->path().string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path file(const std::string& name) { return *dir_ / name; }
  static test::ScratchDir* dir_;
};
test::ScratchDir* MakeInception::dir_ = nullptr;

TEST_F(MakeInception, ThePytorchFidStateDictHasTheFidInceptionsNamesAndShapes) {
  // torchvision's Inception-v3 has 27,161,264 parameters; without its auxiliary classifier (3,326,696) and
  // with the graph's 1008 classes instead of 1000 (8 x 2048 + 8 more) that is 23,850,960, pytorch-fid's.
  const auto facts = nlohmann::json::parse(test::read_text(file("facts.json")));
  EXPECT_EQ(facts.at("parameters"), 23'850'960);
  EXPECT_EQ(facts.at("tensors"), 472);  // 94 convolutions x (weight + 4 batch-norm tensors) + fc weight, bias
  const nlohmann::json shapes = {{"Conv2d_1a_3x3.conv.weight", {32, 3, 3, 3}},
                                 {"Conv2d_4a_3x3.bn.running_var", {192}},
                                 {"Mixed_5b.branch_pool.conv.weight", {32, 192, 1, 1}},
                                 {"Mixed_6e.branch7x7dbl_5.conv.weight", {192, 192, 1, 7}},
                                 {"Mixed_7a.branch3x3_2.conv.weight", {320, 192, 3, 3}},
                                 {"Mixed_7c.branch3x3dbl_3b.conv.weight", {384, 384, 3, 1}},
                                 {"fc.weight", {1008, 2048}}};
  EXPECT_EQ(facts.at("shapes"), shapes);
  // TensorFlow's bilinear resize (5x7 -> 11x4) against a pixel-by-pixel loop of its definition.
  EXPECT_LT(facts.at("resize_max_difference").get<double>(), 1e-4);  // values up to 255, float32
}

TEST_F(MakeInception, APytorchFidStateDictBecomesTheExtractorWithEitherPreprocessing) {
  const auto images = load_npy(file("images.npy"));
  for (const auto& [preprocess, expected] : std::vector<std::pair<std::string, std::string>>{
           {"tf", "features_tf.npy"}, {"pytorch-fid", "features_pytorch_fid.npy"}}) {
    const auto out = file("inception-" + preprocess + ".pt");
    const auto r = make_inception({file("pt_inception-random.pth").string(), "--out", out.string(), "--preprocess",
                                   preprocess});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(test::contains(r.output, "forward(uint8 images [N, 3, H, W], return_features=True) -> float32 [N, 2048]"))
        << r.output;
    expect_close(features_of(out, images), load_npy(file(expected)), 1e-5, preprocess);
  }
  expect_close(features_of(file("inception-tf.pt"), load_npy(file("gray.npy"))), load_npy(file("features_gray.npy")),
               1e-5, "grayscale images, repeated to RGB");
  EXPECT_FALSE(torch::allclose(load_npy(file("features_tf.npy")), load_npy(file("features_pytorch_fid.npy"))));
  const auto again = make_inception({file("pt_inception-random.pth").string(), "--out", file("inception-tf.pt").string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(test::contains(again.output, "pass --force")) << again.output;
}

TEST_F(MakeInception, APickledDetectorIsRebuiltByOrderAndCheckedAgainstItsOwnFeatures) {
  const auto out = file("from-pkl.pt");
  const auto r = make_inception({file("foreign.pkl").string(), "--out", out.string()}, kTestScriptsDir.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(test::contains(r.output, "largest relative feature difference to the source network")) << r.output;
  expect_close(features_of(out, load_npy(file("images.npy"))), load_npy(file("features_foreign.npy")), 1e-5, "pkl");

  // Two same-shaped convolutions in the wrong order load by shape but give other features: refused.
  const auto swapped = make_inception({file("swapped.pkl").string(), "--out", file("swapped.pt").string()},
                                      kTestScriptsDir.string());
  EXPECT_EQ(swapped.exit_code, 1) << swapped.output;
  EXPECT_TRUE(test::contains(swapped.output, "features differ from the source's")) << swapped.output;
  EXPECT_FALSE(fs::exists(file("swapped.pt")));

  // Without the code the pickle names, the message names the module and where to put it.
  const auto missing = make_inception({file("foreign.pkl").string(), "--out", file("missing.pt").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(test::contains(missing.output, "'foreign_inception'")) << missing.output;
  EXPECT_TRUE(test::contains(missing.output, "--edm")) << missing.output;
}

TEST_F(MakeInception, AStyleGanTorchScriptIsKeptAndOtherFilesAreRefused) {
  const auto out = file("from-pt.pt");
  const auto r = make_inception({file("stylegan.pt").string(), "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto images = load_npy(file("images.npy"));
  EXPECT_TRUE(torch::equal(features_of(out, images), features_of(file("stylegan.pt"), images)));

  test::write_text(file("junk.pth"), "not a state dict");
  const auto junk = make_inception({file("junk.pth").string(), "--out", file("junk.pt").string()});
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_TRUE(test::contains(junk.output, "junk.pth: not a readable torch state dict")) << junk.output;
  const auto wrong = make_inception({file("images.npy").string(), "--out", file("wrong.pt").string()});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(test::contains(wrong.output, "pass --kind")) << wrong.output;
}

}  // namespace
}  // namespace retrain
