// A plain-text table of headline metrics (see learners/headline_metrics.hpp) for the console: label
// columns (run, generation) then one column per headline metric that any row holds.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace retrain::cli {

struct MetricRow {
  std::vector<std::string> labels;  // one per label column
  nlohmann::json metrics;
};

std::string metric_table(const std::vector<std::string>& label_headers, const std::vector<MetricRow>& rows);

}  // namespace retrain::cli
