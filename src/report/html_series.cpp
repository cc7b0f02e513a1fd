// Per-generation values, seed groups and pooled chart series for the report page.
#include "retrain/report/html_series.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace retrain {

namespace {

bool is_timing(const std::string& key) { return key.ends_with("_s"); }

bool finite_number(const nlohmann::json& v) { return v.is_number() && std::isfinite(v.get<double>()); }

// Keys of every row (in the order first seen) whose values are numbers and that `keep` accepts.
template <class Keep>
std::vector<std::string> numeric_keys(const std::vector<RunFiles>& runs, Keep keep) {
  std::vector<std::string> keys;
  for (const auto& run : runs)
    for (const auto& row : run.metrics)
      for (const auto& [k, v] : row.items())
        if (v.is_number() && keep(k) && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  return keys;
}

// The label without its seed=... parts (a sweep label is comma-separated key=value parts).
std::string without_seed(const std::string& label) {
  std::string out;
  std::size_t start = 0;
  while (start <= label.size()) {
    const auto comma = std::min(label.find(',', start), label.size());
    const auto part = label.substr(start, comma - start);
    if (!part.starts_with("seed=")) out += (out.empty() ? "" : ",") + part;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::string se_key_of(const std::string& metric) {
  return metric.ends_with("_mean") ? metric.substr(0, metric.size() - 5) + "_se" : metric + "_se";
}

GenerationValues metric_values(const std::vector<nlohmann::json>& rows, const std::string& key) {
  GenerationValues values;
  const std::string se_key = se_key_of(key);
  for (const auto& row : rows) {
    if (!row.contains(key) || !finite_number(row[key])) continue;
    Estimate e{row[key].get<double>()};
    if (row.contains(se_key) && finite_number(row[se_key])) e.se = row[se_key].get<double>();
    values[row["generation"].get<std::int64_t>()] = e;
  }
  return values;
}

GenerationValues per_generation(const std::vector<nlohmann::json>& rows, const std::string& key, Summary summary) {
  std::map<std::int64_t, std::vector<double>> by_generation;
  for (const auto& row : rows)
    if (row.contains(key) && finite_number(row[key]))
      by_generation[row["generation"].get<std::int64_t>()].push_back(row[key].get<double>());
  GenerationValues values;
  for (const auto& [g, v] : by_generation) {
    double s = 0;
    for (double x : v) s += x;
    values[g] = {summary == Summary::max ? *std::max_element(v.begin(), v.end()) : s / static_cast<double>(v.size())};
  }
  return values;
}

std::vector<std::string> curve_metrics(const std::vector<RunFiles>& runs) {
  static const std::set<std::string> counts = {"generation", "n_train", "n_synthetic_new", "images_seen",
                                               "nonfinite_steps"};
  return numeric_keys(runs, [](const std::string& k) { return !counts.contains(k) && !k.ends_with("_se") && !is_timing(k); });
}

std::vector<std::string> timing_metrics(const std::vector<RunFiles>& runs) {
  auto keys = numeric_keys(runs, is_timing);
  std::stable_partition(keys.begin(), keys.end(), [](const std::string& k) { return k == "wall_s"; });
  return keys;
}

std::vector<RunGroup> group_seeds(const std::vector<RunFiles>& runs) {
  std::vector<RunGroup> groups;
  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Config c = runs[i].config;
    c.seed = 0;
    c.name.clear();
    c.out.clear();
    const auto hash = config_hash(c);
    const auto found = std::find(hashes.begin(), hashes.end(), hash);
    if (found == hashes.end()) {
      hashes.push_back(hash);
      groups.push_back({runs[i].label, {i}});
    } else {
      groups[static_cast<std::size_t>(found - hashes.begin())].members.push_back(i);
    }
  }
  for (auto& g : groups)
    if (g.members.size() > 1) {
      const auto base = without_seed(g.label);
      g.label = fmt::format("{} ({} seeds)", base.empty() ? "all seeds" : base, g.members.size());
    }
  return groups;
}

ChartSeries pooled_series(const std::string& label, const std::vector<GenerationValues>& runs) {
  ChartSeries series;
  series.label = label;
  if (runs.empty()) return series;
  if (runs.size() == 1) {
    for (const auto& [g, e] : runs[0]) {
      ChartPoint p{static_cast<double>(g), e.value};
      if (std::isfinite(e.se)) p.low = e.value - 2 * e.se, p.high = e.value + 2 * e.se;
      series.points.push_back(p);
    }
    return series;
  }
  const double k = static_cast<double>(runs.size());
  for (const auto& [g, first] : runs[0]) {
    std::vector<double> v;
    for (const auto& run : runs)
      if (const auto it = run.find(g); it != run.end()) v.push_back(it->second.value);
    if (v.size() != runs.size()) continue;  // a generation not every seed reached
    double mean = 0, squares = 0;
    for (double x : v) mean += x / k;
    for (double x : v) squares += (x - mean) * (x - mean);
    const double se = std::sqrt(squares / (k - 1) / k);
    series.points.push_back({static_cast<double>(g), mean, mean - 2 * se, mean + 2 * se});
  }
  return series;
}

std::vector<ChartSeries> group_lines(const std::vector<RunFiles>& runs, const std::vector<RunGroup>& groups,
                                     const std::function<GenerationValues(const RunFiles&)>& values) {
  std::vector<ChartSeries> lines;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::vector<GenerationValues> members;
    for (auto i : groups[g].members) members.push_back(values(runs[i]));
    auto line = pooled_series(groups[g].label, members);
    line.color = series_color(g);  // a group keeps its colour in every chart
    if (!line.points.empty()) lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace retrain
