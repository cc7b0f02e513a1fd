// Combined metrics CSV, density strips from samples.npy, image runs' seed strips, and metric curves
// through scripts/plot.py.
#include "retrain/report/reports.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/build_info.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/data/point_source.hpp"
#include "retrain/plots/seed_strip.hpp"
#include "retrain/report/html_run_files.hpp"
#include "retrain/plots/strip_figure.hpp"

namespace retrain {

namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

void write_metrics_table(const std::vector<LabelledRun>& runs, const fs::path& csv) {
  std::vector<std::pair<std::string, std::vector<nlohmann::json>>> all;
  std::set<std::string> keys;
  for (const auto& run : runs) {
    all.emplace_back(run.label, read_json_lines(run.dir / run_layout::kMetricsFile));
    for (const auto& row : all.back().second)
      for (const auto& [k, v] : row.items())
        if (k != "generation") keys.insert(k);
  }
  std::string text = "run,generation";
  for (const auto& k : keys) text += fmt::format(",{}", k);
  text += "\n";
  for (const auto& [label, rows] : all)
    for (const auto& row : rows) {
      text += fmt::format("\"{}\",{}", label, row["generation"].get<std::int64_t>());
      for (const auto& k : keys)
        text += fmt::format(",{}", row.contains(k) && !row[k].is_null() ? row[k].dump() : std::string());
      text += "\n";
    }
  write_file_atomic(csv, text);
}

std::vector<std::int64_t> strip_generations(std::int64_t total, std::int64_t every, int columns) {
  std::vector<std::int64_t> gens = {0};
  for (int c = 1; c < columns; ++c) {
    std::int64_t g = total * c / (columns - 1);
    if (g != total) g = g / every * every;  // an evaluated generation
    if (g > gens.back()) gens.push_back(g);
  }
  return gens;
}

bool write_density_strip(const std::vector<LabelledRun>& runs, const Config& config,
                         const std::vector<std::int64_t>& generations, const fs::path& png) {
  StripFigure figure;
  figure.column_titles.push_back("true density");
  for (auto g : generations) figure.column_titles.push_back(fmt::format("generation {}", g));
  if (config.data.source == DataSource::image) return false;  // image runs have grid.png per generation instead
  auto source = make_point_source(config.data);
  if (source->dim() != 2) return false;
  auto gen = make_generator(config.seed, 0, Stream::Eval);
  const std::int64_t k = std::max<std::int64_t>(config.eval.num_samples > 0 ? config.eval.num_samples : config.data.n, 2000);
  const auto truth = source->draw(1, k, gen)[0];
  bool any = false;
  for (const auto& run : runs) {
    StripRow row{run.label, {truth}};
    for (auto g : generations) {
      const auto file = run_layout::generation_dir(run.dir, g) / "samples.npy";
      row.cells.push_back(fs::exists(file) ? load_npy(file) : torch::Tensor());
      any = any || fs::exists(file);
    }
    figure.rows.push_back(std::move(row));
  }
  if (!any) return false;
  write_strip_figure(png, figure);
  return true;
}

void write_seed_strips(const std::vector<LabelledRun>& runs) {
  for (const auto& run : runs) write_seed_strip(run.dir);
}

bool plot_metric_curves(const std::vector<LabelledRun>& runs, const fs::path& out_dir) {
  const fs::path python = build_info().python;
  const fs::path script = fs::path(build_info().source_dir) / "scripts/plot.py";
  std::string args, labels;
  for (const auto& run : runs) {
    args += fmt::format(" {}", shell_quote(run.dir.string()));
    labels += fmt::format(" --label {}", shell_quote(run.label));  // labels hold commas: one flag each
  }
  // Grid points differ in their axes' keys, so only a seed axis leaves runs for --pool-seeds to pool.
  const std::string command = fmt::format("{} {}{}{} --pool-seeds -o {}", shell_quote(python.string()),
                                          shell_quote(script.string()), args, labels, shell_quote(out_dir.string()));
  if (!fs::exists(python) || !fs::exists(script)) {
    spdlog::warn("metric curves need Python with matplotlib; run: {}", command);
    return false;
  }
  if (std::system((command + " > /dev/null").c_str()) != 0) {
    spdlog::warn("scripts/plot.py failed; run it by hand to see why: {}", command);
    return false;
  }
  return true;
}

}  // namespace retrain
