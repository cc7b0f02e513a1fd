// Hungarian method: rows are added one at a time; a Dijkstra-like search over reduced costs finds the
// cheapest augmenting path, and the dual potentials (row_pot, col_pot) keep reduced costs >= 0.
#include "retrain/diffusion/assignment.hpp"

#include <limits>

namespace retrain {

std::vector<std::int64_t> solve_assignment(const torch::Tensor& cost) {
  TORCH_CHECK(cost.dim() == 2 && cost.size(0) == cost.size(1), "solve_assignment needs a square cost matrix, got ",
              cost.sizes());
  const auto c = cost.to(torch::kCPU, torch::kFloat64).contiguous();
  TORCH_CHECK(c.isfinite().all().item<bool>(), "solve_assignment: the cost matrix has NaN or Inf entries");
  const double* a = c.data_ptr<double>();
  const std::int64_t n = c.size(0);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // Columns are 1..n; column 0 is a virtual start. row_of[j]: row (1-based) matched to column j, 0 = free.
  std::vector<double> row_pot(n + 1, 0.0), col_pot(n + 1, 0.0), min_slack(n + 1);
  std::vector<std::int64_t> row_of(n + 1, 0), prev_col(n + 1, 0);
  std::vector<char> visited(n + 1);
  for (std::int64_t row = 1; row <= n; ++row) {
    row_of[0] = row;
    std::int64_t col = 0;
    std::fill(min_slack.begin(), min_slack.end(), kInf);
    std::fill(visited.begin(), visited.end(), 0);
    do {  // grow the shortest-path tree until it reaches a free column
      visited[col] = 1;
      const std::int64_t r = row_of[col];
      const double* cost_row = a + (r - 1) * n;
      double delta = kInf;
      std::int64_t next = 0;
      for (std::int64_t j = 1; j <= n; ++j) {
        if (visited[j]) continue;
        const double reduced = cost_row[j - 1] - row_pot[r] - col_pot[j];
        if (reduced < min_slack[j]) {
          min_slack[j] = reduced;
          prev_col[j] = col;
        }
        if (min_slack[j] < delta) {
          delta = min_slack[j];
          next = j;
        }
      }
      for (std::int64_t j = 0; j <= n; ++j) {
        if (visited[j]) {
          row_pot[row_of[j]] += delta;
          col_pot[j] -= delta;
        } else {
          min_slack[j] -= delta;
        }
      }
      col = next;
    } while (row_of[col] != 0);
    do {  // flip the matching along the path back to the virtual column
      const std::int64_t back = prev_col[col];
      row_of[col] = row_of[back];
      col = back;
    } while (col != 0);
  }
  std::vector<std::int64_t> col_of_row(n);
  for (std::int64_t j = 1; j <= n; ++j) col_of_row[row_of[j] - 1] = j - 1;
  return col_of_row;
}

}  // namespace retrain
