// Sliced Wasserstein-2 distance between two point clouds, built on the exact 1-D Wasserstein-2 distance
// between empirical distributions (sorted samples; any two sample sizes).
#pragma once
#include <torch/types.h>

#include <cstdint>

namespace retrain {

// W2^2 between the 1-D empirical distributions in the rows of a [P, N] and b [P, M]: the integral over
// u in (0, 1) of (F_a^-1(u) - F_b^-1(u))^2 with both quantile functions as exact step functions (for N = M
// this is mean((sort a - sort b)^2)). Returns [P], float64.
torch::Tensor wasserstein2_squared_1d(const torch::Tensor& a, const torch::Tensor& b);

// SW2(x, y) = sqrt(mean over `num_projections` directions theta of W2^2(x theta, y theta)), x [N, D] and
// y [M, D]; the directions are uniform on the unit sphere, drawn from a CPU generator seeded with `seed`.
double sliced_wasserstein2(const torch::Tensor& x, const torch::Tensor& y, std::int64_t num_projections,
                           std::uint64_t seed);

}  // namespace retrain
