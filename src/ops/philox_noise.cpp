// Philox noise ops: the fused-combine kernel with no data terms writes the normals (on the GPU when
// this build has the kernels, else on the CPU and copied); uniforms are a CPU loop (a few per batch).
#include "retrain/ops/philox_noise.hpp"

#include "kernels/combine_launch.hpp"
#include "retrain/ops/op_path.hpp"

namespace retrain::ops {

torch::Tensor philox_normal(const torch::Tensor& keys, std::uint32_t draw, at::IntArrayRef shape,
                            const torch::TensorOptions& options) {
  TORCH_CHECK(!shape.empty() && keys.dim() == 1 && keys.size(0) == shape[0] && keys.scalar_type() == torch::kLong,
              "philox_normal: keys must be int64 [N] with N = shape[0]; got ", keys.scalar_type(), " ", keys.sizes(),
              " for shape ", shape);
  TORCH_CHECK(at::isFloatingType(c10::typeMetaToScalarType(options.dtype())), "philox_normal: dtype ",
              options.dtype(), " is not floating");
  const auto device = options.device();
  const bool on_gpu = device.is_cuda() && have_cuda_kernels();
  const auto where = on_gpu ? device : torch::Device(torch::kCPU);
  detail::CombineLaunch launch;
  launch.keys = keys.to(where).contiguous();
  launch.draw = draw;
  launch.out = torch::empty(shape, options.device(where));
  if (on_gpu) {
    detail::combine_cuda(launch);
  } else {
    detail::combine_cpu(launch);
  }
  return launch.out.to(device);
}

torch::Tensor philox_uniform(const torch::Tensor& keys, std::uint32_t draw) {
  TORCH_CHECK(keys.dim() == 1 && keys.scalar_type() == torch::kLong, "philox_uniform: keys must be int64 [N]; got ",
              keys.scalar_type(), " ", keys.sizes());
  const auto k = keys.cpu().contiguous();
  auto out = torch::empty({k.size(0)}, torch::kFloat64);
  const auto* key = k.const_data_ptr<std::int64_t>();
  auto* u = out.mutable_data_ptr<double>();
  for (std::int64_t i = 0; i < k.size(0); ++i)
    u[i] = kernels::uniform_at(kernels::mix_key(static_cast<std::uint64_t>(key[i])), draw, 0);
  return out;
}

torch::Tensor consecutive_keys(std::uint64_t base, std::int64_t n, torch::Device device) {
  return torch::arange(n, torch::TensorOptions().dtype(torch::kLong).device(device)) + static_cast<std::int64_t>(base);
}

}  // namespace retrain::ops
