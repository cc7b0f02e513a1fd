// The headline metrics: which ones rows hold, and a one-line summary of a row.
#include "retrain/learners/headline_metrics.hpp"

#include <fmt/format.h>

namespace retrain {

namespace {
bool has_number(const nlohmann::json& row, const char* key) { return row.contains(key) && row[key].is_number(); }
}  // namespace

std::vector<std::string> headline_columns(const std::vector<nlohmann::json>& rows) {
  std::vector<std::string> columns;
  for (const char* key : kHeadlineMetrics)
    for (const auto& row : rows)
      if (has_number(row, key)) {
        columns.emplace_back(key);
        break;
      }
  return columns;
}

std::string headline_summary(const nlohmann::json& row) {
  std::string out;
  for (const char* key : kHeadlineMetrics)
    if (has_number(row, key)) out += fmt::format("{}{} {:.4g}", out.empty() ? "" : "  ", key, row[key].get<double>());
  return out;
}

}  // namespace retrain
