// features_in_batches: input checks, the batch loop, and the checks on every network output.
#include "retrain/features/batched_features.hpp"

#include <fmt/format.h>
#include <torch/torch.h>

#include <vector>

#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {

torch::Tensor features_in_batches(const torch::Tensor& images, const ExtractorOptions& options,
                                  const std::string& source,
                                  const std::function<torch::Tensor(const torch::Tensor&)>& network) {
  const auto fail = [&](const std::string& what) { throw UsageError(fmt::format("{}: {}", source, what)); };
  if (!images.defined() || images.dim() != 4 || images.scalar_type() != torch::kUInt8 || !images.device().is_cpu())
    fail("expected images as a uint8 CPU tensor [N, C, H, W]");
  if (images.size(0) == 0) fail("got no images (N = 0)");
  if (options.batch_size < 1) fail(fmt::format("batch size {} is invalid; expected >= 1", options.batch_size));

  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (std::int64_t start = 0; start < images.size(0); start += options.batch_size) {
    const auto batch = images.slice(0, start, start + options.batch_size);
    const auto out = network(to_device(batch, options.device));
    if (out.dim() < 2)
      fail(fmt::format("network output has shape {}; expected [batch, features...]", c10::str(out.sizes())));
    auto flat = out.flatten(1).to(torch::kCPU, torch::kFloat32);
    if (flat.size(0) != batch.size(0))
      fail(fmt::format("network returned {} rows for a batch of {} images", flat.size(0), batch.size(0)));
    if (!parts.empty() && flat.size(1) != parts.front().size(1))
      fail(fmt::format("network returned {} features per image, earlier batches {}", flat.size(1),
                       parts.front().size(1)));
    if (!torch::isfinite(flat).all().item<bool>())
      fail(fmt::format("network output holds NaN or Inf (images {}..{})", start, start + batch.size(0) - 1));
    parts.push_back(std::move(flat));
  }
  return parts.size() == 1 ? parts.front() : torch::cat(parts);
}

}  // namespace retrain
