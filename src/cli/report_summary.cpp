// print_sweep_summary: a small table of headline metrics (those present), then the paths.
#include "report_summary.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "metric_table.hpp"
#include "retrain/report/html_run_files.hpp"
#include "retrain/core/run_layout.hpp"

namespace retrain::cli {
namespace {

std::vector<nlohmann::json> rows_of(const std::filesystem::path& dir) {
  const auto file = dir / run_layout::kMetricsFile;
  return std::filesystem::exists(file) ? read_json_lines(file) : std::vector<nlohmann::json>{};
}

}  // namespace

void print_sweep_summary(const SweepResult& result) {
  std::vector<MetricRow> table;
  for (const auto& r : result.runs) {
    const auto rows = rows_of(r.dir);
    if (rows.empty()) continue;
    for (const auto* row : {&rows.front(), &rows.back()})
      table.push_back({{r.label, std::to_string((*row)["generation"].get<long long>())}, *row});
  }
  std::cout << "\n" << metric_table({"run", "generation"}, table);
  std::cout << "\nResults in " << result.dir.string() << "/:\n";
  for (const auto& r : result.runs)
    std::cout << fmt::format("  {}/  (metrics.jsonl, gen_NNNN/)\n", r.dir.string());
  for (const auto& f : result.reports) std::cout << "  " << f.string() << "\n";
}

}  // namespace retrain::cli
