// The report's chart sections: metric curves, training statistics and timings, as inline SVG.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "retrain/report/html_line_chart.hpp"
#include "retrain/report/html_sections.hpp"
#include "retrain/report/html_series.hpp"

namespace retrain {

namespace {

constexpr std::size_t kLegendGenerations = 6;  // generation lines named in a legend (the others only coloured)

void write_charts(HtmlWriter& page, const std::vector<LineChart>& charts) {
  page.open("div", {{"class", "charts"}});
  for (const auto& chart : charts) page.markup(svg_line_chart(chart));
  page.close();
}

LineChart per_generation_chart(std::string title, std::string y_label, std::vector<ChartSeries> lines) {
  return LineChart{std::move(title), "generation", std::move(y_label), std::move(lines), /*integer_x=*/true};
}

bool any_run_has(const std::vector<RunFiles>& runs, const std::string& train_stats_key) {
  return std::any_of(runs.begin(), runs.end(), [&](const RunFiles& run) {
    return std::any_of(run.train_stats.begin(), run.train_stats.end(),
                       [&](const nlohmann::json& row) { return row.contains(train_stats_key); });
  });
}

// One line per generation of `key` against the optimizer step within the generation, coloured from
// dark (generation 0) to bright (the last); a few evenly spaced generations are named in the legend.
LineChart during_training_chart(const RunFiles& run, const std::string& key, const std::string& title) {
  std::map<std::int64_t, ChartSeries> lines;
  for (const auto& row : run.train_stats)
    if (row.contains(key) && row[key].is_number()) {
      const auto g = row["generation"].get<std::int64_t>();
      lines[g].label = fmt::format("generation {}", g);
      lines[g].points.push_back({row["step"].get<double>(), row[key].get<double>()});
    }
  LineChart chart{title, "optimizer step in the generation", key, {}, /*integer_x=*/true};
  const auto count = lines.size();
  std::size_t i = 0;
  for (auto& [g, line] : lines) {
    const double t = count > 1 ? static_cast<double>(i) / static_cast<double>(count - 1) : 0.0;
    line.color = ramp_css_color(t);
    // Named: the first, the last and about kLegendGenerations - 2 between them.
    const std::size_t stride = std::max<std::size_t>(1, (count + kLegendGenerations - 2) / (kLegendGenerations - 1));
    line.in_legend = i % stride == 0 || i + 1 == count;
    chart.series.push_back(std::move(line));
    ++i;
  }
  return chart;
}

bool varies(const RunFiles& run, const std::string& key) {
  std::optional<double> first;
  for (const auto& row : run.train_stats)
    if (row.contains(key) && row[key].is_number()) {
      if (first && *first != row[key].get<double>()) return true;
      first = row[key].get<double>();
    }
  return false;
}

}  // namespace

void write_metrics_section(HtmlWriter& page, const ReportInput& input) {
  const auto keys = curve_metrics(input.runs);
  if (keys.empty()) {
    write_missing(page, "No metric to draw yet: metrics.jsonl has no evaluated generation.");
    return;
  }
  page.element("p", {}, input.sweep ? "One line per grid point. Grid points that differ only in their seed are one "
                                       "line: the mean over the seeds, shaded +-2 standard errors across them."
                                     : "Each metric of metrics.jsonl over the evaluated generations; where the metric "
                                       "has a standard error (the Gaussian learner's replicas), shaded +-2 SE.");
  const auto groups = group_seeds(input.runs);
  std::vector<LineChart> charts;
  for (const auto& key : keys)
    charts.push_back(per_generation_chart(key, key, group_lines(input.runs, groups, [&](const RunFiles& run) {
                                            return metric_values(run.metrics, key);
                                          })));
  write_charts(page, charts);
}

void write_training_section(HtmlWriter& page, const ReportInput& input) {
  if (!any_run_has(input.runs, "loss_mean")) {
    write_missing(page, fmt::format("No per-step training statistics: {} no train_stats.jsonl. The Gaussian learner fits "
                                    "in closed form, and diffusion runs written before these statistics existed or "
                                    "with train.stats_every: 0 have none.",
                                    input.sweep ? "the grid points have" : "this run has"));
    return;
  }
  page.element("p", {}, fmt::format("From train_stats.jsonl: the mean training loss of each generation's logged steps{}",
                                    input.sweep ? " (one line per grid point, seeds pooled as above); each grid point's "
                                                  "own page shows its loss step by step."
                                                : "; then the loss and gradient norm step by step, one line per "
                                                  "generation from dark (generation 0) to bright (the last)."));
  const auto groups = group_seeds(input.runs);
  std::vector<LineChart> charts = {per_generation_chart(
      "mean training loss per generation", "loss", group_lines(input.runs, groups, [](const RunFiles& run) {
        return per_generation(run.train_stats, "loss_mean", Summary::mean);
      }))};
  if (!input.sweep) {
    const auto& run = input.runs.front();
    charts.push_back(during_training_chart(run, "loss_mean", "loss during training"));
    if (any_run_has(input.runs, "grad_norm"))
      charts.push_back(during_training_chart(run, "grad_norm", "gradient norm during training"));
    if (varies(run, "lr")) charts.push_back(during_training_chart(run, "lr", "learning rate"));
  }
  write_charts(page, charts);
}

void write_timing_section(HtmlWriter& page, const ReportInput& input) {
  const auto keys = timing_metrics(input.runs);
  const bool throughput = any_run_has(input.runs, "images_per_s"), memory = any_run_has(input.runs, "peak_memory_mb");
  if (keys.empty() && !throughput) {
    write_missing(page, "No timings: metrics.jsonl has no *_s column and there is no train_stats.jsonl.");
    return;
  }
  const auto groups = group_seeds(input.runs);
  std::vector<LineChart> charts;
  for (const auto& key : keys)
    charts.push_back(per_generation_chart(key == "wall_s" ? "seconds per generation (wall_s)" : key, "seconds",
                                          group_lines(input.runs, groups, [&](const RunFiles& run) {
                                            return metric_values(run.metrics, key);
                                          })));
  if (throughput)
    charts.push_back(per_generation_chart("training throughput", "images/s",
                                          group_lines(input.runs, groups, [](const RunFiles& run) {
                                            return per_generation(run.train_stats, "images_per_s", Summary::mean);
                                          })));
  if (memory)
    charts.push_back(per_generation_chart("peak GPU memory while training", "MiB",
                                          group_lines(input.runs, groups, [](const RunFiles& run) {
                                            return per_generation(run.train_stats, "peak_memory_mb", Summary::max);
                                          })));
  std::string totals;
  for (const auto& run : input.runs) {
    double total = 0;
    for (const auto& [g, e] : metric_values(run.metrics, "wall_s")) total += e.value;
    totals += fmt::format("{}{}: {:.1f} s", totals.empty() ? "" : "; ", run.label, total);
  }
  page.element("p", {}, fmt::format("wall_s is the time from a generation's start to its commit (sampling, training, "
                                    "evaluation), recorded for evaluated generations; throughput is the mean images/s "
                                    "of the generation's logged training steps{}. Sum of wall_s: {}.",
                                    memory ? ", peak memory the largest of its steps (CUDA)" : "", totals));
  write_charts(page, charts);
}

}  // namespace retrain
