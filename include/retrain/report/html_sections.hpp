// The sections of a report page, each written into the page by one function. A page shows one run
// or a sweep's runs; every section is always present, and says plainly what is missing when the run
// has no file for it.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "retrain/report/html_run_files.hpp"
#include "retrain/report/html_writer.hpp"

namespace retrain {

struct ReportInput {
  std::filesystem::path dir;       // the run or sweep directory
  std::filesystem::path page_dir;  // where the page goes (links are relative to it)
  bool sweep = false;              // a sweep's page: runs are its grid points
  std::vector<RunFiles> runs;      // one for a run's page
  // The density strip of 2-D point runs (strip.png: the true density, then the samples of chosen
  // generations, one row per run), when there is one.
  std::optional<std::filesystem::path> density_strip;
};

// The page's header: what the page shows, facts of the run(s), a forked run's parent.
void write_header(HtmlWriter& page, const ReportInput& input);
// Each section's content below its heading.
void write_config_section(HtmlWriter& page, const ReportInput& input);
void write_metrics_section(HtmlWriter& page, const ReportInput& input);
void write_training_section(HtmlWriter& page, const ReportInput& input);
void write_strip_section(HtmlWriter& page, const ReportInput& input);
void write_neighbours_section(HtmlWriter& page, const ReportInput& input);
void write_timing_section(HtmlWriter& page, const ReportInput& input);
void write_table_section(HtmlWriter& page, const ReportInput& input);

struct SectionInfo {
  const char* id;     // the element id (the page's anchors, and what the browser test looks for)
  const char* title;  // the heading and the navigation link
  void (*write)(HtmlWriter& page, const ReportInput& input);
};
// The sections in page order.
const std::vector<SectionInfo>& report_sections();

// The whole page: head with the inline style sheet, header, navigation, every section, footer.
std::string render_report_page(const ReportInput& input);

// A paragraph saying what is missing and why (class "missing").
void write_missing(HtmlWriter& page, const std::string& text);
// An embedded PNG with a caption (a <figure>), read from `png`.
void write_png_figure(HtmlWriter& page, const std::filesystem::path& png, const std::string& caption);

}  // namespace retrain
