// Report pages of runs and sweeps: find the runs, read them, render the page, write it atomically.
#include "retrain/report/html_report.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/report/html_sections.hpp"

namespace retrain {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDensityStripFile = "strip.png";  // as a sweep names its strip
constexpr int kDensityStripColumns = 6;                 // the true density and five generations, as a sweep's

// "lambda=2" before "lambda=10": digit runs compare as numbers, the rest as text.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t i_end = i, j_end = j;
      while (i_end < a.size() && std::isdigit(static_cast<unsigned char>(a[i_end]))) ++i_end;
      while (j_end < b.size() && std::isdigit(static_cast<unsigned char>(b[j_end]))) ++j_end;
      const auto x = a.substr(i, i_end - i), y = b.substr(j, j_end - j);
      const auto x_trim = x.substr(std::min(x.find_first_not_of('0'), x.size()));
      const auto y_trim = y.substr(std::min(y.find_first_not_of('0'), y.size()));
      if (x_trim.size() != y_trim.size()) return x_trim.size() < y_trim.size();
      if (x_trim != y_trim) return x_trim < y_trim;
      i = i_end, j = j_end;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<LabelledRun> runs_of_sweep(const fs::path& dir) {
  std::vector<LabelledRun> runs;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && run_layout::is_run(entry.path())) runs.push_back({entry.path().filename().string(), entry.path()});
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return natural_less(a.label, b.label); });
  return runs;
}

fs::path write_page(const ReportInput& input, const fs::path& out) {
  write_file_atomic(out, render_report_page(input));
  return out;
}

fs::path page_path(const fs::path& dir, const std::optional<fs::path>& out) {
  const fs::path path = out ? *out : dir / kReportFile;
  if (!path.parent_path().empty() && !fs::is_directory(path.parent_path()))
    throw UsageError(fmt::format("--out '{}': directory '{}' does not exist", path.string(), path.parent_path().string()));
  return path;
}

}  // namespace

fs::path write_sweep_report(const fs::path& dir, const std::vector<LabelledRun>& runs, const std::optional<fs::path>& out) {
  const fs::path path = page_path(dir, out);
  ReportInput input{dir, fs::absolute(path).parent_path(), /*sweep=*/true, {}, std::nullopt};
  for (const auto& run : runs) input.runs.push_back(read_run_files(run.dir, run.label));
  if (input.runs.empty()) throw UsageError(fmt::format("report: sweep '{}' has no runs", dir.string()));
  if (fs::exists(dir / kDensityStripFile)) input.density_strip = dir / kDensityStripFile;
  return write_page(input, path);
}

fs::path write_report(const fs::path& dir, const std::optional<fs::path>& out) {
  if (!fs::is_directory(dir)) throw UsageError(fmt::format("report: '{}' is not a directory; expected a run or sweep directory", dir.string()));
  if (!run_layout::is_run(dir)) {
    const auto runs = runs_of_sweep(dir);
    if (runs.empty())
      throw UsageError(fmt::format("report: '{}' is neither a run directory ({} and {}) nor a sweep directory "
                                   "(sub-directories that are runs)",
                                   dir.string(), run_layout::kConfigFile, run_layout::kRunFile));
    return write_sweep_report(dir, runs, out);
  }
  const fs::path path = page_path(dir, out);
  const auto name = fs::absolute(dir).lexically_normal();
  ReportInput input{dir, fs::absolute(path).parent_path(), /*sweep=*/false, {}, std::nullopt};
  input.runs.push_back(read_run_files(dir, (name.has_filename() ? name : name.parent_path()).filename().string()));
  // 2-D point runs: the density strip a sweep draws for its runs, here for this run alone.
  const auto& config = input.runs.front().config;
  if (write_density_strip({{input.runs.front().label, dir}}, config,
                          strip_generations(config.loop.generations, config.eval.every, kDensityStripColumns),
                          dir / kDensityStripFile))
    input.density_strip = dir / kDensityStripFile;
  return write_page(input, path);
}

std::optional<fs::path> write_report_at_end(const fs::path& dir, const std::vector<LabelledRun>& sweep_runs) {
  try {
    const auto page = sweep_runs.empty() ? write_report(dir) : write_sweep_report(dir, sweep_runs);
    spdlog::info("report: {}", page.string());
    return page;
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    spdlog::warn("the report page was not written ({}); `retrain report {}` writes it", e.what(), dir.string());
    return std::nullopt;
  }
}

}  // namespace retrain
