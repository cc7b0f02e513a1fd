// The report's text parts: the header (with a forked run's parent), the configuration and the table
// of numbers.
#include <fmt/format.h>

#include <algorithm>

#include "retrain/core/choices.hpp"
#include "retrain/report/html_sections.hpp"

namespace retrain {

namespace fs = std::filesystem;

namespace {

// The run's experiment in one line of facts.
std::string experiment_summary(const Config& c) {
  std::string learner = fmt::format("{} learner", c.learner.type);
  if (c.learner.type == LearnerType::diffusion) learner += fmt::format(" ({}, {})", c.method.type, c.model.arch);
  const std::string data = c.data.source == DataSource::toy2d ? fmt::format("toy2d {}", c.data.name)
                           : c.data.source == DataSource::image ? fmt::format("image {}", c.data.format)
                                                                 : fmt::format("{}", c.data.source);
  std::string correction = fmt::format("{}", c.loop.correction.type);
  if (c.loop.correction.type != CorrectionType::none) correction += fmt::format(" (gamma {:g})", c.loop.correction.gamma);
  return fmt::format("{}; data {} (n = {}); {} generations, lambda {:g}, real {}, synthetic {}, correction {}; seed {}",
                     learner, data, c.data.n, c.loop.generations, c.loop.lambda, c.loop.real, c.loop.synthetic,
                     correction, c.seed);
}

std::string versions(const nlohmann::json& info) {
  return fmt::format("retrain {} ({}), torch {}; written {}", info.value("retrain_version", "?"),
                     info.value("git_commit", "?"), info.value("torch_version", "?"), info.value("updated", "?"));
}

// The run's report page when one exists (a link to it), else its directory.
void write_run_link(HtmlWriter& page, const ReportInput& input, const fs::path& run, const std::string& text) {
  const auto report = run / kReportFile;
  page.element("a", {{"href", file_href(input.page_dir, fs::exists(report) ? report : run)}}, text);
}

void write_fork_line(HtmlWriter& page, const ReportInput& input, const RunFiles& run) {
  if (!run.fork) return;
  page.open("p", {{"class", "fork"}});
  page.text(input.sweep ? run.label + ": forked from " : "Forked from ");
  write_run_link(page, input, run.fork->parent, run.fork->parent.string());
  page.text(fmt::format(" at generation {}: generations 0 to {} are the parent's, the later ones this run's own.",
                        run.fork->at, run.fork->at));
  page.close();
}

// A cell's text: numbers to six significant digits, strings as they are, nothing for null.
std::string cell_text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number()) return fmt::format("{:.6g}", v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

void write_header(HtmlWriter& page, const ReportInput& input) {
  const auto& first = input.runs.front();
  if (!input.sweep) {
    page.element("h1", {}, first.label);
    page.open("p", {{"class", "lead"}}).text("The retrain run in ").element("code", {}, input.dir.string()).close();
    page.element("p", {{"class", "facts"}}, experiment_summary(first.config));
    page.element("p", {{"class", "facts"}}, versions(first.run_info));
  } else {
    page.element("h1", {}, input.dir.filename().string());
    page.open("p", {{"class", "lead"}})
        .text("The retrain sweep in ")
        .element("code", {}, input.dir.string())
        .text(fmt::format(": {} grid points, each a run of its own (its own page linked):", input.runs.size()))
        .close();
    page.open("ul", {{"class", "points"}});
    for (const auto& run : input.runs) {
      page.open("li");
      write_run_link(page, input, run.dir, run.label);
      page.close();
    }
    page.close();
    page.element("p", {{"class", "facts"}}, experiment_summary(first.config) + " (the first grid point)");
  }
  for (const auto& run : input.runs) write_fork_line(page, input, run);
}

void write_config_section(HtmlWriter& page, const ReportInput& input) {
  const auto& first = input.runs.front();
  if (!input.sweep) {
    page.element("p", {}, "The resolved config (file, --set overrides and defaults). The keys this run sets to other "
                          "values than the defaults, as key: default -> this run:");
    page.open("ul", {{"class", "keys"}});
    for (const auto& d : config_differences(Config{}, first.config)) page.element("li", {}, d);
    page.close();
  } else {
    page.element("p", {}, "The grid points differ in these keys, as key: first point -> this point:");
    page.open("table").open("tr").element("th", {}, "grid point").element("th", {}, "keys").close();
    for (const auto& run : input.runs) {
      std::vector<std::string> keys;
      for (const auto& d : config_differences(first.config, run.config))
        if (!d.starts_with("name:") && !d.starts_with("out:")) keys.push_back(d);
      std::string text;
      for (const auto& k : keys) text += (text.empty() ? "" : "; ") + k;
      page.open("tr").element("td", {}, run.label).element("td", {}, text.empty() ? "(the first point)" : text).close();
    }
    page.close();
  }
  page.open("details")
      .element("summary", {}, input.sweep ? "config.yaml of the first grid point (every key)" : "config.yaml (every key)")
      .element("pre", {}, first.config_text)
      .close();
}

void write_table_section(HtmlWriter& page, const ReportInput& input) {
  std::vector<std::string> keys;
  std::size_t rows = 0;
  for (const auto& run : input.runs) {
    rows += run.metrics.size();
    for (const auto& row : run.metrics)
      for (const auto& [k, v] : row.items())
        if (k != "generation" && std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  if (rows == 0) {
    write_missing(page, "No evaluated generation yet: metrics.jsonl is empty or absent.");
    return;
  }
  page.element("p", {}, "Every row of metrics.jsonl (one per evaluated generation); *_se columns are standard errors, "
                        "*_s columns seconds.");
  page.open("div", {{"class", "table-wrap"}}).open("table", {{"class", "numbers"}}).open("tr");
  if (input.sweep) page.element("th", {}, "grid point");
  page.element("th", {}, "generation");
  for (const auto& k : keys) page.element("th", {}, k);
  page.close();
  for (const auto& run : input.runs)
    for (const auto& row : run.metrics) {
      page.open("tr");
      if (input.sweep) page.element("td", {}, run.label);
      page.element("td", {}, cell_text(row["generation"]));
      for (const auto& k : keys) page.element("td", {}, row.contains(k) ? cell_text(row[k]) : "");
      page.close();
    }
  page.close().close();
}

}  // namespace retrain
