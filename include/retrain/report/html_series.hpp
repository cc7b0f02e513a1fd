// The numbers behind the report's charts: one quantity per generation of a run, runs grouped into
// lines (a sweep's seed axis pooled, as scripts/plot.py --pool-seeds does), and a line's chart series
// with its +-2 standard-error band.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "retrain/report/html_line_chart.hpp"
#include "retrain/report/html_run_files.hpp"

namespace retrain {

struct Estimate {
  double value = 0;
  double se = std::numeric_limits<double>::quiet_NaN();  // standard error; NaN: none
};
using GenerationValues = std::map<std::int64_t, Estimate>;

// The standard-error column of a metric: x_mean -> x_se, x -> x_se.
std::string se_key_of(const std::string& metric);

// `key` of metrics.jsonl rows per generation where it is a finite number, with its standard error
// (se_key_of) when the row has one.
GenerationValues metric_values(const std::vector<nlohmann::json>& rows, const std::string& key);

// `key` of train_stats.jsonl rows summarised per generation over the generation's rows that have it:
// their mean, or (peak memory) their maximum.
enum class Summary { mean, max };
GenerationValues per_generation(const std::vector<nlohmann::json>& rows, const std::string& key, Summary summary);

// The numeric metrics of the runs' metrics.jsonl to draw as curves, in the order first seen: every
// number except the generation, counts (n_train, n_synthetic_new, images_seen, nonfinite_steps),
// standard errors (*_se) and timings (*_s, drawn with the timing).
std::vector<std::string> curve_metrics(const std::vector<RunFiles>& runs);
// The timing columns (seconds, *_s) of the runs' metrics.jsonl, wall_s first.
std::vector<std::string> timing_metrics(const std::vector<RunFiles>& runs);

// Runs drawn as one line: those whose configs agree except for seed, name and out. The label is the
// first member's without its "seed=..." parts, marked "(k seeds)" when it pools several.
struct RunGroup {
  std::string label;
  std::vector<std::size_t> members;  // indices into the runs
};
std::vector<RunGroup> group_seeds(const std::vector<RunFiles>& runs);

// A line over the generations. One run: its values, with a +-2 SE band where every point has a
// standard error. Several: at each generation all of them have, the mean with a +-2 SE band across
// them (SE = sample standard deviation / sqrt(k)).
ChartSeries pooled_series(const std::string& label, const std::vector<GenerationValues>& runs);

// One line per group (pooled_series of `values` of its members), group i in series_color(i); lines
// without a point are left out.
std::vector<ChartSeries> group_lines(const std::vector<RunFiles>& runs, const std::vector<RunGroup>& groups,
                                     const std::function<GenerationValues(const RunFiles&)>& values);

}  // namespace retrain
