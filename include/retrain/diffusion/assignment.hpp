// Exact linear assignment (the minibatch optimal-transport coupling between equal-size point sets):
// the Hungarian method with potentials and shortest augmenting paths, O(n^3) time, O(n) extra memory.
#pragma once
#include <torch/types.h>

#include <vector>

namespace retrain {

// cost [n, n] (any floating dtype/device; read on CPU in float64). Returns col with col[i] the column
// assigned to row i, minimising sum_i cost[i, col[i]].
std::vector<std::int64_t> solve_assignment(const torch::Tensor& cost);

}  // namespace retrain
