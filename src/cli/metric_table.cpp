// metric_table: label columns left-aligned, metrics right-aligned, "-" where a row lacks one.
#include "metric_table.hpp"

#include <fmt/format.h>

#include "retrain/learners/headline_metrics.hpp"

namespace retrain::cli {

std::string metric_table(const std::vector<std::string>& label_headers, const std::vector<MetricRow>& rows) {
  std::vector<nlohmann::json> metrics;
  for (const auto& row : rows) metrics.push_back(row.metrics);
  const auto columns = headline_columns(metrics);
  std::vector<std::size_t> widths;
  for (std::size_t i = 0; i < label_headers.size(); ++i) {
    std::size_t w = label_headers[i].size();
    for (const auto& row : rows) w = std::max(w, i < row.labels.size() ? row.labels[i].size() : 0);
    widths.push_back(w);
  }
  std::string text;
  for (std::size_t i = 0; i < label_headers.size(); ++i) text += fmt::format("{:<{}}  ", label_headers[i], widths[i]);
  for (const auto& c : columns) text += fmt::format(" {:>15}", c);
  text += "\n";
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < label_headers.size(); ++i)
      text += fmt::format("{:<{}}  ", i < row.labels.size() ? row.labels[i] : "", widths[i]);
    for (const auto& c : columns)
      text += row.metrics.contains(c) && row.metrics[c].is_number()
                  ? fmt::format(" {:>15.6g}", row.metrics[c].get<double>())
                  : fmt::format(" {:>15}", "-");
    text += "\n";
  }
  return text;
}

}  // namespace retrain::cli
