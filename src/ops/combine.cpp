// ops::combine: checks, memory layout, the autograd wrapper, and the choice between retrain's kernel
// (the CPU loop here, the CUDA kernel in kernels/fused_combine.cu) and the ATen expression.
#include "retrain/ops/combine.hpp"

#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "kernels/combine_launch.hpp"
#include "retrain/ops/philox_noise.hpp"

namespace retrain::ops {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

torch::ScalarType opmath_dtype(torch::ScalarType t) { return t == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32; }

std::vector<std::int64_t> row_shape(const Tensor& x) {
  std::vector<std::int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  return shape;
}

void check_row_vector(const Tensor& v, const Tensor& x, const char* what) {
  TORCH_CHECK(v.dim() == 1 && v.size(0) == x.size(0), "ops::combine: ", what, " must be [N] with N = ", x.size(0),
              " (the rows of x); got ", v.sizes());
  TORCH_CHECK(v.device() == x.device(), "ops::combine: ", what, " is on ", v.device(), " but x is on ", x.device());
}

void check_terms(const std::vector<Tensor>& xs, const std::vector<Tensor>& coefs, const std::optional<Noise>& noise) {
  TORCH_CHECK(!xs.empty() && xs.size() <= static_cast<std::size_t>(kMaxTerms), "ops::combine: ", xs.size(),
              " data terms; expected 1 to ", kMaxTerms);
  const auto& x0 = xs[0];
  TORCH_CHECK(x0.dim() >= 1 && at::isFloatingType(x0.scalar_type()), "ops::combine: x must be a floating tensor [N, ...]; got ",
              x0.scalar_type(), " ", x0.sizes());
  for (std::size_t t = 0; t < xs.size(); ++t) {
    TORCH_CHECK(xs[t].sizes() == x0.sizes() && xs[t].scalar_type() == x0.scalar_type() && xs[t].device() == x0.device(),
                "ops::combine: term ", t, " is ", xs[t].scalar_type(), " ", xs[t].sizes(), " on ", xs[t].device(),
                "; term 0 is ", x0.scalar_type(), " ", x0.sizes(), " on ", x0.device());
    TORCH_CHECK(at::isFloatingType(coefs[t].scalar_type()), "ops::combine: coefficient ", t, " must be floating");
    check_row_vector(coefs[t], x0, "a coefficient");
  }
  if (noise) {
    TORCH_CHECK(noise->keys.dim() == 1 && noise->keys.size(0) == x0.size(0) && noise->keys.scalar_type() == torch::kLong,
                "ops::combine: noise keys must be int64 [", x0.size(0), "]; got ", noise->keys.scalar_type(), " ",
                noise->keys.sizes());
    if (noise->coef.defined()) {
      check_row_vector(noise->coef, x0, "the noise coefficient");
      TORCH_CHECK(!noise->coef.requires_grad(), "ops::combine: the noise coefficient is not differentiable");
    }
  }
}

// Rows outermost and dense: row n is one block of numel / N elements, whatever the layout inside it
// (NCHW or channels-last), so per-row coefficients index by flat offset.
bool rows_outermost_dense(const Tensor& t) {
  return t.is_non_overlapping_and_dense() && (t.size(0) <= 1 || t.stride(0) == t.numel() / t.size(0));
}

bool kernel_serves(const torch::Device& device) {
  const bool cuda_kernel = device.is_cuda() && have_cuda_kernels();
  switch (op_path()) {
    case OpPath::automatic: return cuda_kernel;
    case OpPath::kernel: return device.is_cpu() || cuda_kernel;
    case OpPath::aten: return false;
  }
  return false;
}

// The layout both paths write: the inputs' own when they share a dense rows-outermost layout and no
// noise is drawn (noise is indexed by logical position, so it needs the standard layout).
std::vector<Tensor> laid_out(const std::vector<Tensor>& xs, bool with_noise) {
  bool keep = !with_noise && rows_outermost_dense(xs[0]);
  for (const auto& x : xs) keep = keep && x.strides() == xs[0].strides();
  std::vector<Tensor> out;
  for (const auto& x : xs) out.push_back(keep ? x : x.contiguous());
  return out;
}

std::pair<Tensor, Tensor> run_kernel(const std::vector<Tensor>& xs, const std::vector<Tensor>& coefs,
                                     const std::optional<Noise>& noise, bool want_noise) {
  detail::CombineLaunch l;
  l.xs = laid_out(xs, noise.has_value());
  const auto& x0 = l.xs[0];
  const auto coef_options = torch::TensorOptions().dtype(opmath_dtype(x0.scalar_type())).device(x0.device());
  for (const auto& c : coefs) l.coefs.push_back(c.detach().to(coef_options).contiguous());
  if (noise) {
    l.keys = noise->keys.to(x0.device()).contiguous();
    if (noise->coef.defined()) l.noise_coef = noise->coef.to(coef_options).contiguous();
    l.draw = noise->draw;
  }
  l.out = torch::empty_like(x0);
  if (want_noise) l.noise_out = torch::empty_like(x0);
  if (x0.is_cuda()) {
    detail::combine_cuda(l);
  } else {
    detail::combine_cpu(l);
  }
  return {l.out, l.noise_out};
}

std::pair<Tensor, Tensor> run_aten(const std::vector<Tensor>& xs, const std::vector<Tensor>& coefs,
                                   const std::optional<Noise>& noise) {
  const auto shape = row_shape(xs[0]);
  const auto dtype = xs[0].scalar_type();
  Tensor out = coefs[0].to(dtype).view(shape) * xs[0];
  for (std::size_t t = 1; t < xs.size(); ++t) out = out + coefs[t].to(dtype).view(shape) * xs[t];
  Tensor eps;
  if (noise) {
    eps = philox_normal(noise->keys, noise->draw, xs[0].sizes(), xs[0].options());
    out = out + (noise->coef.defined() ? noise->coef.to(dtype).view(shape) * eps : eps);
  }
  return {out, eps};
}

std::pair<Tensor, Tensor> combine_forward(const std::vector<Tensor>& xs, const std::vector<Tensor>& coefs,
                                          const std::optional<Noise>& noise, bool want_noise) {
  if (kernel_serves(xs[0].device())) return run_kernel(xs, coefs, noise, want_noise);
  return run_aten(xs, coefs, noise);
}

// Autograd wrapper. Unused term slots and an absent noise term are empty optionals: LibTorch's custom
// functions take no undefined tensors as inputs, and an optional that holds none is not a graph input.
// Gradients flow to the data terms and their coefficients (backward is two ATen expressions per term).
class CombineFunction : public torch::autograd::Function<CombineFunction> {
 public:
  using Slot = std::optional<Tensor>;

  static variable_list forward(AutogradContext* ctx, Tensor x0, Tensor c0, Slot x1, Slot c1, Slot x2, Slot c2,
                               Slot keys, Slot noise_coef, std::int64_t draw, bool want_noise) {
    std::vector<Tensor> xs = {x0}, coefs = {c0};
    for (const auto& [x, c] : {std::pair{x1, c1}, std::pair{x2, c2}})
      if (x) {
        xs.push_back(*x);
        coefs.push_back(*c);
      }
    std::optional<Noise> noise;
    if (keys) noise = Noise{*keys, static_cast<std::uint32_t>(draw), noise_coef.value_or(Tensor())};
    auto [out, eps] = combine_forward(xs, coefs, noise, want_noise);
    ctx->save_for_backward({x0, c0, x1.value_or(Tensor()), c1.value_or(Tensor()), x2.value_or(Tensor()),
                            c2.value_or(Tensor())});
    if (!want_noise) return {out};
    ctx->mark_non_differentiable({eps});
    return {out, eps};
  }

  // One gradient per forward argument (undefined for the non-tensor ones and for absent slots). Whether
  // an input wants one is read from the saved input itself: needs_input_grad counts graph inputs only,
  // which an absent slot shifts.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto& g = grads[0];
    variable_list result(10);
    for (std::size_t t = 0; t < static_cast<std::size_t>(kMaxTerms); ++t) {
      const auto& x = saved[2 * t];
      const auto& c = saved[2 * t + 1];
      if (!x.defined() || !g.defined()) continue;
      if (x.requires_grad()) result[2 * t] = g * c.to(g.scalar_type()).view(row_shape(x));
      if (c.requires_grad()) {
        const auto acc = opmath_dtype(x.scalar_type());
        result[2 * t + 1] = (g.to(acc) * x.to(acc)).flatten(1).sum(1).to(c.scalar_type());
      }
    }
    return result;
  }
};

std::pair<Tensor, Tensor> dispatch(const std::vector<Term>& terms, const std::optional<Noise>& noise, bool want_noise) {
  std::vector<Tensor> xs, coefs;
  bool needs_grad = false;
  for (const auto& t : terms) {
    xs.push_back(t.x);
    coefs.push_back(t.coef);
    needs_grad = needs_grad || t.x.requires_grad() || t.coef.requires_grad();
  }
  check_terms(xs, coefs, noise);
  if (!needs_grad || !torch::GradMode::is_enabled()) return combine_forward(xs, coefs, noise, want_noise);
  CombineFunction::Slot slot[2 * kMaxTerms];
  for (std::size_t t = 0; t < terms.size(); ++t) {
    slot[2 * t] = xs[t];
    slot[2 * t + 1] = coefs[t];
  }
  CombineFunction::Slot keys, noise_coef;
  if (noise) keys = noise->keys;
  if (noise && noise->coef.defined()) noise_coef = noise->coef;
  const auto outs = CombineFunction::apply(xs[0], coefs[0], slot[2], slot[3], slot[4], slot[5], keys, noise_coef,
                                           noise ? static_cast<std::int64_t>(noise->draw) : 0, want_noise);
  return {outs[0], want_noise ? outs[1] : Tensor()};
}

}  // namespace

namespace detail {

void combine_cpu(const CombineLaunch& launch) {
  const std::int64_t rows = launch.out.size(0);
  const std::int64_t inner = rows == 0 ? 0 : launch.out.numel() / rows;
  const std::int64_t pairs_per_row = (inner + 1) / 2;
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, launch.out.scalar_type(), "retrain_combine_cpu", [&] {
    using opmath_t = at::opmath_type<scalar_t>;
    const auto args = make_combine_args<scalar_t, opmath_t>(launch);
    at::parallel_for(0, rows * pairs_per_row, 2048, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t p = begin; p < end; ++p) kernels::combine_pair(args, p / pairs_per_row, p % pairs_per_row);
    });
  });
}

#ifndef RETRAIN_WITH_CUDA
void combine_cuda(const CombineLaunch&) {
  TORCH_CHECK(false, "ops::combine: this build has no CUDA kernels (RETRAIN_WITH_CUDA is off)");
}
#endif

}  // namespace detail

Tensor combine(const std::vector<Term>& terms, const std::optional<Noise>& noise) {
  return dispatch(terms, noise, false).first;
}

std::pair<Tensor, Tensor> combine_returning_noise(const std::vector<Term>& terms, const Noise& noise) {
  return dispatch(terms, noise, true);
}

Tensor affine_mix(const Tensor& x, const Tensor& a, const Tensor& y, const Tensor& b) { return combine({{x, a}, {y, b}}); }

}  // namespace retrain::ops
