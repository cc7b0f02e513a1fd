// print_sweep_summary: a small table of headline metrics (those present), then the paths.
#include "report_summary.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

namespace retrain::cli {
namespace {

constexpr const char* kHeadline[] = {"std_ratio_mean", "w2_mean", "sw2", "energy_distance", "mode_std_ratio",
                                     "mode_offset", "mode_coverage"};

std::vector<nlohmann::json> rows_of(const std::filesystem::path& dir) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(dir / "metrics.jsonl");
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

std::string cell(const nlohmann::json& row, const char* key) {
  return row.contains(key) && row[key].is_number() ? fmt::format("{:.4g}", row[key].get<double>()) : "-";
}

}  // namespace

void print_sweep_summary(const SweepResult& result) {
  std::vector<const char*> keys;
  for (const char* k : kHeadline) {
    for (const auto& r : result.runs) {
      auto rows = rows_of(r.dir);
      if (!rows.empty() && rows.back().contains(k)) {
        keys.push_back(k);
        break;
      }
    }
  }
  std::cout << fmt::format("\n{:<28} {:>10}", "run", "generation");
  for (const char* k : keys) std::cout << fmt::format(" {:>18}", k);
  std::cout << "\n";
  for (const auto& r : result.runs) {
    const auto rows = rows_of(r.dir);
    if (rows.empty()) continue;
    for (const auto* row : {&rows.front(), &rows.back()}) {
      std::cout << fmt::format("{:<28} {:>10}", r.label, (*row)["generation"].get<long long>());
      for (const char* k : keys) std::cout << fmt::format(" {:>18}", cell(*row, k));
      std::cout << "\n";
    }
  }
  std::cout << "\nResults in " << result.dir.string() << "/:\n";
  for (const auto& r : result.runs)
    std::cout << fmt::format("  {}/  (metrics.jsonl, gen_NNNN/)\n", r.dir.string());
  for (const auto& f : result.reports) std::cout << "  " << f.string() << "\n";
}

}  // namespace retrain::cli
