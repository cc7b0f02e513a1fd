// TorchScript correction: loading the module and reading its forward signature, then running it in
// batches and checking what comes back.
#include "retrain/correction/torchscript_correction.hpp"

#include <fmt/format.h>

#include <vector>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

// An exception's message; for torch's own errors without the C++ backtrace.
std::string reason(const std::exception& e) {
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&e)) return torch_error->what_without_backtrace();
  return e.what();
}

}  // namespace

TorchScriptCorrection::TorchScriptCorrection(std::filesystem::path module_file, torch::Device device,
                                             std::int64_t batch_size)
    : file_(std::move(module_file)),
      takes_labels_(false),
      needs_labels_(false),
      device_(device),
      batch_size_(batch_size) {
  const auto fail = [&](const std::string& why) {
    return UsageError(fmt::format("TorchScript correction '{}': {}", file_.string(), why));
  };
  if (batch_size_ < 1) throw fail(fmt::format("batch size {} must be at least 1", batch_size_));
  if (!std::filesystem::is_regular_file(file_)) throw fail("no such module file");
  try {
    module_ = torch::jit::load(file_.string(), device_);
  } catch (const std::exception& e) {
    throw fail("not a loadable TorchScript module: " + reason(e));
  }
  module_.eval();
  const auto forward = module_.find_method("forward");
  if (!forward) throw fail("the module has no forward method");
  const auto& arguments = forward->function().getSchema().arguments();  // arguments[0] is self
  const auto optional_from = [&](std::size_t i) {
    for (; i < arguments.size(); ++i)
      if (!arguments[i].default_value()) return false;
    return true;
  };
  if (arguments.size() < 2 || !optional_from(3))
    throw fail(fmt::format("forward takes {} inputs; expected forward(images) or forward(images, labels)",
                           arguments.size() - 1));
  takes_labels_ = arguments.size() >= 3;
  needs_labels_ = takes_labels_ && !optional_from(2);
}

torch::Tensor TorchScriptCorrection::run_batch(const torch::Tensor& images, const torch::Tensor& labels) const {
  const auto fail = [&](const std::string& what) {
    return UsageError(fmt::format("TorchScript correction '{}' {}", file_.string(), what));
  };
  std::vector<c10::IValue> inputs{images};
  if (labels.defined()) inputs.emplace_back(labels);
  c10::IValue output;
  try {
    output = module_.forward(std::move(inputs));
  } catch (const std::exception& e) {
    throw fail("failed in forward: " + reason(e));
  }
  if (!output.isTensor()) throw fail(fmt::format("returned a {}, not a tensor", output.tagKind()));
  auto corrected = output.toTensor();
  if (corrected.sizes() != images.sizes())
    throw fail(fmt::format("returned shape {} for input shape {}; the output must have the input's shape",
                           c10::str(corrected.sizes()), c10::str(images.sizes())));
  if (corrected.scalar_type() != images.scalar_type())
    throw fail(fmt::format("returned dtype {} for {} input; the output must have the input's dtype",
                           c10::toString(corrected.scalar_type()), c10::toString(images.scalar_type())));
  const auto non_finite = (~torch::isfinite(corrected)).sum().item<std::int64_t>();
  if (non_finite > 0) throw fail(fmt::format("returned {} non-finite values (NaN or infinity)", non_finite));
  return corrected;
}

torch::Tensor TorchScriptCorrection::apply(const torch::Tensor& samples, const torch::Tensor& labels,
                                           at::Generator&) const {
  if (samples.dim() < 3)
    throw UsageError(fmt::format("TorchScript correction '{}': samples must be [R, n, C, H, W], got {}", file_.string(),
                                 c10::str(samples.sizes())));
  const bool pass_labels = takes_labels_ && labels.defined();
  if (needs_labels_ && !labels.defined())
    throw UsageError(
        fmt::format("TorchScript correction '{}': forward needs labels, but the samples have none", file_.string()));
  if (pass_labels && (labels.scalar_type() != torch::kLong || labels.sizes() != samples.sizes().slice(0, 2)))
    throw UsageError(fmt::format("TorchScript correction '{}': labels must be int64 {} to match the samples, got {} {}",
                                 file_.string(), c10::str(samples.sizes().slice(0, 2)),
                                 c10::toString(labels.scalar_type()), c10::str(labels.sizes())));
  const auto flat = samples.flatten(0, 1);
  const auto flat_labels = pass_labels ? labels.reshape({-1}) : torch::Tensor();
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> corrected;
  for (std::int64_t start = 0; start < flat.size(0); start += batch_size_) {
    const auto size = std::min(batch_size_, flat.size(0) - start);
    const auto batch_labels = pass_labels ? flat_labels.narrow(0, start, size).to(device_) : torch::Tensor();
    corrected.push_back(run_batch(flat.narrow(0, start, size).to(device_, torch::kFloat32), batch_labels)
                            .to(samples.device(), samples.scalar_type()));
  }
  if (corrected.empty()) return samples;
  return torch::cat(corrected).reshape(samples.sizes());
}

std::string TorchScriptCorrection::describe() const {
  return fmt::format("torchscript {} ({}, batches of {} on {})", file_.filename().string(),
                     takes_labels_ ? "images and labels" : "images", batch_size_, device_.str());
}

}  // namespace retrain
