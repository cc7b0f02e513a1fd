// TorchScript correction with modules scripted by the venv's Python: images-only and labelled
// forwards, batching, and errors that name the module file.
#include <gtest/gtest.h>

#include <cstdlib>

#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/correction/torchscript_correction.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

constexpr const char* kWriteModules = R"(import sys
import torch

class Half(torch.nn.Module):
    def forward(self, x):
        return 0.5 * x

class AddLabel(torch.nn.Module):
    def forward(self, x, labels):
        return x + labels.to(x.dtype).view(-1, 1, 1, 1)

class WrongShape(torch.nn.Module):
    def forward(self, x):
        return x[:, :, :1]

class NonFinite(torch.nn.Module):
    def forward(self, x):
        return x / 0.0

for name, module in [("half", Half()), ("add_label", AddLabel()), ("wrong_shape", WrongShape()),
                     ("non_finite", NonFinite())]:
    torch.jit.script(module).save(f"{sys.argv[1]}/{name}.pt")
)";

// A directory holding half.pt, add_label.pt, wrong_shape.pt and non_finite.pt (one Python run).
const std::filesystem::path& modules() {
  static const test::ScratchDir dir;
  static const bool written = [] {
    test::write_text(dir / "write_modules.py", kWriteModules);
    const auto command = std::string("'") + test::kPython + "' '" + (dir / "write_modules.py").string() + "' '" +
                         dir.path().string() + "'";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("could not script the test modules: " + command);
    return true;
  }();
  return dir.path();
}

torch::Tensor some_samples() { return torch::rand({2, 3, 1, 4, 4}, make_generator(1, 0, Stream::Sample)) * 2 - 1; }

TEST(TorchScriptCorrection, AnImagesOnlyModuleRunsInBatches) {
  const TorchScriptCorrection correction(modules() / "half.pt", torch::kCPU, 4);  // 6 images: batches of 4 and 2
  auto gen = make_generator(0, 0, Stream::Correction);
  const auto samples = some_samples();
  const auto labels = torch::zeros({2, 3}, torch::kLong);  // ignored: forward takes images only
  EXPECT_TRUE(torch::allclose(correction.apply(samples, labels, gen), 0.5 * samples));
  EXPECT_EQ(correction.describe(), "torchscript half.pt (images, batches of 4 on cpu)");
}

TEST(TorchScriptCorrection, ALabelledModuleReceivesEachSamplesLabel) {
  const TorchScriptCorrection correction(modules() / "add_label.pt", torch::kCPU, 4);
  auto gen = make_generator(0, 0, Stream::Correction);
  const auto samples = some_samples();
  const auto labels = torch::arange(6, torch::kLong).reshape({2, 3});
  const auto expected = samples + labels.to(torch::kFloat32).reshape({2, 3, 1, 1, 1});
  EXPECT_TRUE(torch::allclose(correction.apply(samples, labels, gen), expected));
  const auto message = test::message_of<UsageError>([&] { correction.apply(samples, {}, gen); });
  EXPECT_TRUE(test::contains(message, "add_label.pt") && test::contains(message, "needs labels")) << message;
}

TEST(TorchScriptCorrection, BadOutputsFailNamingTheModuleAndTheProblem) {
  auto gen = make_generator(0, 0, Stream::Correction);
  auto message = test::message_of<UsageError>(
      [&] { TorchScriptCorrection(modules() / "wrong_shape.pt").apply(some_samples(), {}, gen); });
  EXPECT_TRUE(test::contains(message, "wrong_shape.pt") && test::contains(message, "returned shape [6, 1, 1, 4]"))
      << message;
  message = test::message_of<UsageError>(
      [&] { TorchScriptCorrection(modules() / "non_finite.pt").apply(some_samples(), {}, gen); });
  EXPECT_TRUE(test::contains(message, "non_finite.pt") && test::contains(message, "96 non-finite values")) << message;
}

TEST(TorchScriptCorrection, MissingOrInvalidFilesFailNamingThePath) {
  test::ScratchDir dir;
  auto message = test::message_of<UsageError>([&] { TorchScriptCorrection(dir / "missing.pt"); });
  EXPECT_TRUE(test::contains(message, (dir / "missing.pt").string()) && test::contains(message, "no such module file"))
      << message;
  test::write_text(dir / "text.pt", "not a module");
  message = test::message_of<UsageError>([&] { TorchScriptCorrection(dir / "text.pt"); });
  EXPECT_TRUE(test::contains(message, (dir / "text.pt").string()) &&
              test::contains(message, "not a loadable TorchScript module"))
      << message;
}

}  // namespace
}  // namespace retrain
