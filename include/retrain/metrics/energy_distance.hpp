// Energy distance between two point clouds (Szekely & Rizzo): 2 E|X - Y| - E|X - X'| - E|Y - Y'|,
// computed in row chunks so that 10k x 10k pairs need only a few tens of MB.
#pragma once
#include <torch/types.h>

namespace retrain {

// Mean Euclidean distance over all N * M pairs of rows of x [N, D] and y [M, D], in float64.
double mean_pairwise_distance(const torch::Tensor& x, const torch::Tensor& y);

// The energy distance between the two empirical distributions (the V-statistic: every expectation is the
// mean over all pairs, the zero self-pairs of E|X - X'| included), so it is >= 0 and 0 iff x and y hold the
// same points with the same multiplicities. x [N, D], y [M, D].
double energy_distance(const torch::Tensor& x, const torch::Tensor& y);

}  // namespace retrain
