// Sweeps: grid expansion, validation of every point, run-or-resume of each (here, or in child
// processes), then the reports.
#include "retrain/report/sweep.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "retrain/core/errors.hpp"
#include "retrain/core/logging.hpp"
#include "retrain/loop/experiment.hpp"
#include "retrain/loop/run_dir.hpp"
#include "retrain/report/child_runs.hpp"
#include "retrain/report/html_report.hpp"
#include "retrain/report/reports.hpp"

namespace retrain {

namespace fs = std::filesystem;

SweepAxis parse_axis(const std::string& text) {
  const Override o = parse_override(text);
  SweepAxis axis{o.key, {}};
  std::size_t start = 0;
  while (start <= o.value.size()) {
    const auto comma = o.value.find(',', start);
    const std::string v = o.value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (v.empty()) throw UsageError(fmt::format("--grid '{}': empty value; expected key=v1,v2,...", text));
    axis.values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return axis;
}

namespace {

// Every combination of the axes' values, first axis slowest.
std::vector<std::vector<Override>> grid_points(const std::vector<SweepAxis>& axes) {
  std::vector<std::vector<Override>> points = {{}};
  for (const auto& axis : axes) {
    std::vector<std::vector<Override>> next;
    for (const auto& p : points)
      for (const auto& v : axis.values) {
        auto q = p;
        q.push_back({axis.key, v});
        next.push_back(q);
      }
    points = std::move(next);
  }
  return points;
}

std::string label_of(const std::vector<Override>& point) {
  std::string label;
  for (const auto& o : point) label += fmt::format("{}{}={}", label.empty() ? "" : ",", o.key.substr(o.key.rfind('.') + 1), o.value);
  return label.empty() ? "base" : label;
}

}  // namespace

std::size_t grid_size(const std::vector<SweepAxis>& axes) { return grid_points(axes).size(); }

SweepResult run_sweep(const std::string& base_yaml, const std::string& origin, const std::vector<Override>& overrides,
                      const std::vector<SweepAxis>& axes, const SweepOptions& options) {
  const Config base = load_config_text(base_yaml, origin, overrides);
  SweepResult result;
  result.dir = fs::path(base.out) / (base.name.empty() ? "sweep" : base.name);
  for (const auto& point : grid_points(axes)) {
    auto all = overrides;
    all.insert(all.end(), point.begin(), point.end());
    Config config = load_config_text(base_yaml, origin, all);
    const std::string label = label_of(point);
    config.name = (fs::path(base.name.empty() ? "sweep" : base.name) / label).string();
    check_experiment(config);
    result.runs.push_back({label, fs::path(config.out) / config.name, config});
  }
  const bool overwrite = options.overwrite;
  if (options.point) {
    if (*options.point >= result.runs.size())
      throw UsageError(fmt::format("sweep: --point {} is outside the grid of {} points (0..{})", *options.point,
                                   result.runs.size(), result.runs.size() - 1));
    const auto r = result.runs[*options.point];
    result.runs = {r};
    spdlog::info("sweep point {} of {}: {} -> {}", *options.point, grid_size(axes), r.label, r.dir.string());
    RunDir run = run_layout::is_run(r.dir) && !overwrite ? RunDir::open(r.dir) : RunDir::create(r.dir, r.config, overwrite);
    set_log_file(run.file("log.txt"));
    run_experiment(run);
    write_report_at_end(r.dir);
    return result;
  }
  if (options.jobs > 1) {
    std::vector<ChildRun> children;
    for (const auto& r : result.runs) {
      if (!run_layout::is_run(r.dir) || overwrite) RunDir::create(r.dir, r.config, overwrite);
      children.push_back({r.label, r.dir});
    }
    const auto failed = run_in_child_processes(children, options.jobs, options.executable, options.gpus);
    if (!failed.empty()) {
      std::string list;
      for (const auto& f : failed) list += fmt::format("\n  {} (see {})", f.label, (f.dir / "log.txt").string());
      throw RuntimeFailure(fmt::format("sweep: {} of {} runs failed:{}\nThe others are complete; fix the cause and "
                                           "run the sweep again to resume the failed ones.",
                                           failed.size(), result.runs.size(), list));
    }
  } else {
    for (std::size_t i = 0; i < result.runs.size(); ++i) {
      const auto& r = result.runs[i];
      spdlog::info("sweep {}/{}: {} -> {}", i + 1, result.runs.size(), r.label, r.dir.string());
      RunDir run = run_layout::is_run(r.dir) && !overwrite ? RunDir::open(r.dir) : RunDir::create(r.dir, r.config, overwrite);
      set_log_file(run.file("log.txt"));
      run_experiment(run);
      write_report_at_end(r.dir);
    }
  }

  std::vector<LabelledRun> runs;
  for (const auto& r : result.runs) runs.push_back({r.label, r.dir});
  write_metrics_table(runs, result.dir / "sweep.csv");
  result.reports.push_back(result.dir / "sweep.csv");
  const auto gens = strip_generations(base.loop.generations, base.eval.every, 6);
  if (write_density_strip(runs, base, gens, result.dir / "strip.png")) result.reports.push_back(result.dir / "strip.png");
  write_seed_strips(runs);
  if (plot_metric_curves(runs, result.dir / "plots")) result.reports.push_back(result.dir / "plots");
  if (const auto page = write_report_at_end(result.dir, runs)) result.reports.push_back(*page);
  return result;
}

}  // namespace retrain
