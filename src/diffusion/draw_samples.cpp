// draw_samples: batching, the order of the first draws (labels, latents), eval mode.
#include "retrain/diffusion/draw_samples.hpp"

#include <fmt/format.h>

#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {

SampleSet draw_samples(const Method& method, Denoiser& net, std::int64_t n, SampleNoise noise, const DrawOptions& o) {
  if (o.fixed_class && (o.num_classes == 0 || *o.fixed_class < 0 || *o.fixed_class >= o.num_classes))
    throw UsageError(fmt::format("class {} is invalid: the model has {} classes", *o.fixed_class, o.num_classes));
  TORCH_CHECK(o.batch >= 1, "draw_samples: batch ", o.batch);
  const bool was_training = net.is_training();
  net.eval();
  std::vector<torch::Tensor> xs, ys;
  for (std::int64_t begin = 0; begin < n; begin += o.batch) {
    const auto count = std::min(o.batch, n - begin);
    auto part = noise.slice(begin, begin + count);
    std::vector<std::int64_t> shape{count};
    shape.insert(shape.end(), o.sample_shape.begin(), o.sample_shape.end());
    // torch mode draws as generate.py: the float32 latent from each seed's generator, then its class,
    // which generate.py draws even when --class then overrides it.
    const bool generate_py_order = part.generate_py_order();
    if (generate_py_order) part.draw_latents_first(shape);
    torch::Tensor labels;
    if (o.num_classes > 0) {
      auto drawn = (generate_py_order || !o.fixed_class) ? part.randint(o.num_classes, count) : torch::Tensor();
      ys.push_back(labels = o.fixed_class ? torch::full({count}, *o.fixed_class, torch::kLong) : drawn);
    }
    xs.push_back(method.sample(net, shape, labels.defined() ? to_device(labels, net.device()) : labels, part).cpu());
  }
  net.train(was_training);
  if (xs.empty()) return {};
  return {torch::cat(xs), ys.empty() ? torch::Tensor() : torch::cat(ys)};
}

}  // namespace retrain
