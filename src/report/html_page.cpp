// The report page's frame: document head with the inline style sheet, header, navigation, the
// sections in order and the footer.
#include <fmt/format.h>

#include <chrono>
#include <ctime>

#include "retrain/core/build_info.hpp"
#include "retrain/report/html_sections.hpp"

namespace retrain {

namespace {

// The whole style of the page (no external sheet or font, so the file needs nothing beside it).
constexpr const char* kStyle = R"css(
:root { --ink: #1d232b; --muted: #5b6673; --line: #d9dee5; --panel: #f6f8fa; --accent: #2458a6; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #fff; }
header, nav, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 10px; padding-top: 8px; }
h3 { font-size: 16px; margin: 18px 0 8px; }
p { margin: 6px 0; max-width: 90ch; }
.lead { color: var(--muted); }
.facts { font-size: 14px; }
.fork { background: #fff7e0; border-left: 4px solid #e0a800; padding: 6px 10px; }
.missing { color: var(--muted); font-style: italic; background: var(--panel); padding: 8px 12px; border-radius: 4px; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
pre { background: var(--panel); padding: 12px; border-radius: 4px; overflow: auto; max-height: 480px; }
a { color: var(--accent); }
nav { position: sticky; top: 0; background: rgba(255, 255, 255, 0.96); border-bottom: 1px solid var(--line);
      padding-top: 10px; padding-bottom: 10px; margin-top: 12px; z-index: 1; }
nav a { margin-right: 18px; text-decoration: none; font-weight: 600; font-size: 14px; }
section { padding: 18px 0 22px; border-bottom: 1px solid var(--line); }
ul.points, ul.keys { columns: 2; font-size: 14px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); }
table.numbers td { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow: auto; max-height: 560px; }
details { margin: 10px 0; }
summary { cursor: pointer; color: var(--accent); }
.charts { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
svg.chart { background: #fff; border: 1px solid var(--line); border-radius: 4px; max-width: 100%; height: auto; }
svg.chart .chart-title { font-size: 13px; font-weight: 600; text-anchor: middle; fill: var(--ink); }
svg.chart .plot-area { fill: #fbfcfd; stroke: #b8c0ca; }
svg.chart .grid { stroke: #e6e9ee; }
svg.chart .tick { font-size: 11px; fill: var(--muted); }
svg.chart .tick.y { text-anchor: end; }
svg.chart .tick.x, svg.chart .axis-label, svg.chart .no-values { text-anchor: middle; }
svg.chart .axis-label { font-size: 12px; fill: var(--ink); }
svg.chart .no-values { font-size: 13px; fill: var(--muted); }
svg.chart .line { fill: none; stroke-width: 1.8; }
svg.chart .band { opacity: 0.18; }
svg.chart .legend { font-size: 11px; fill: var(--ink); }
.figures { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 10px 0; display: table; }  /* a table: the caption wraps at the picture's width */
figure img { max-width: 100%; image-rendering: pixelated; border: 1px solid var(--line); }
figcaption { display: table-caption; caption-side: bottom; font-size: 13px; color: var(--muted); }
footer { color: var(--muted); font-size: 13px; padding-top: 14px; padding-bottom: 28px; }
)css";

std::string utc_now() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

}  // namespace

const std::vector<SectionInfo>& report_sections() {
  static const std::vector<SectionInfo> sections = {
      {"metrics", "Metrics per generation", write_metrics_section},
      {"training", "Training loss", write_training_section},
      {"strip", "Same seeds across generations", write_strip_section},
      {"neighbours", "Nearest real neighbours", write_neighbours_section},
      {"timing", "Time per generation", write_timing_section},
      {"table", "Numbers", write_table_section},
      {"config", "Configuration", write_config_section}};
  return sections;
}

void write_missing(HtmlWriter& page, const std::string& text) { page.element("p", {{"class", "missing"}}, text); }

std::string render_report_page(const ReportInput& input) {
  const std::string title = input.sweep ? input.dir.filename().string() : input.runs.front().label;
  HtmlWriter page;
  page.markup("<!DOCTYPE html>\n");
  page.open("html", {{"lang", "en"}}).open("head");
  page.empty("meta", {{"charset", "utf-8"}});
  page.empty("meta", {{"name", "viewport"}, {"content", "width=device-width, initial-scale=1"}});
  page.element("title", {}, fmt::format("retrain report: {}", title));
  page.open("style").markup(kStyle).close();
  page.close().open("body");
  page.open("header", {{"id", "run"}});
  write_header(page, input);
  page.close();
  page.open("nav");
  for (const auto& s : report_sections()) page.element("a", {{"href", std::string("#") + s.id}}, s.title);
  page.close();
  page.open("main");
  for (const auto& s : report_sections()) {
    page.open("section", {{"id", s.id}}).element("h2", {}, s.title);
    s.write(page, input);
    page.close();
  }
  page.close();
  page.element("footer", {}, fmt::format("Written by retrain {} on {} (`retrain report {}`).", build_info().version,
                                         utc_now(), input.dir.string()));
  page.close().close();
  return page.finish() + "\n";
}

}  // namespace retrain
