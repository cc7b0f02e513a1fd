// SVG line charts: data range -> rounded ticks -> pixel mapping, then bands, lines, markers, legend.
#include "retrain/report/html_line_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "retrain/plots/colormap.hpp"
#include "retrain/report/html_writer.hpp"

namespace retrain {

namespace {

constexpr int kLeft = 64, kRight = 14, kTop = 30, kBottom = 42;  // room for the title, ticks and labels
constexpr int kLegendRow = 16;
constexpr double kCharWidth = 6.2;   // an 11 px sans-serif character, for laying out the legend
constexpr std::size_t kMaxMarkers = 60;  // a series with more points is drawn as a bare line

bool finite(const ChartPoint& p) { return std::isfinite(p.x) && std::isfinite(p.y); }
bool has_band(const ChartPoint& p) { return std::isfinite(p.low) && std::isfinite(p.high); }

std::string number(double v) { return fmt::format("{:.4g}", v); }

// A tick label with as many decimals as the step needs (0.25 -> "0.25", 1000 -> "1000").
std::string tick_label(double v, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  if (std::abs(v) < step * 1e-9) v = 0;
  if (std::abs(v) >= 1e6 || (v != 0 && std::abs(v) < 1e-4)) return fmt::format("{:.3g}", v);
  return fmt::format("{:.{}f}", v, decimals);
}

struct Legend {
  std::vector<std::pair<const ChartSeries*, std::string>> entries;  // series and its colour
  std::vector<std::pair<double, int>> positions;                     // x, row of each entry
  int rows = 0;
};

Legend lay_out_legend(const LineChart& chart, const std::vector<std::string>& colors) {
  Legend legend;
  double x = kLeft;
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const auto& s = chart.series[i];
    if (!s.in_legend || s.label.empty()) continue;
    const double w = 24 + kCharWidth * static_cast<double>(s.label.size()) + 14;
    if (legend.rows == 0) legend.rows = 1;
    if (x + w > chart.width && x > kLeft) {
      x = kLeft;
      ++legend.rows;
    }
    legend.entries.emplace_back(&s, colors[i]);
    legend.positions.emplace_back(x, legend.rows - 1);
    x += w;
  }
  if (legend.entries.size() < 2) return {};  // one line needs no key: the chart's title names it
  return legend;
}

}  // namespace

std::vector<double> axis_ticks(double low, double high, int max_count, bool integer_step) {
  if (!std::isfinite(low) || !std::isfinite(high) || max_count < 2)
    throw std::invalid_argument(fmt::format("axis_ticks: range [{}, {}] with {} ticks; expected finite bounds and >= 2",
                                            low, high, max_count));
  if (!(high > low)) {
    const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const double raw = (high - low) / std::max(1, max_count - 1);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power * 10;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (power * m >= raw * (1 - 1e-9)) {
      step = power * m;
      break;
    }
  if (integer_step) step = std::max(1.0, std::ceil(step));
  // Widen until first..last covers the range in at most max_count ticks.
  for (;;) {
    const double first = std::floor(low / step + 1e-9) * step, last = std::ceil(high / step - 1e-9) * step;
    const auto count = static_cast<int>(std::llround((last - first) / step)) + 1;
    if (count <= max_count) {
      std::vector<double> ticks;
      for (int i = 0; i < count; ++i) ticks.push_back(first + step * i);
      return ticks;
    }
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    step *= mantissa < 1.5 || mantissa > 4 ? 2 : 2.5;  // 1 -> 2 -> 5 -> 10
  }
}

std::string series_color(std::size_t i) {
  static constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                             "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return kPalette[i % std::size(kPalette)];
}

std::string ramp_css_color(double t) {
  const Rgb c = ramp_color(0.8 * std::clamp(t, 0.0, 1.0));  // the ramp's brightest fifth is too pale on white
  return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
}

std::string svg_line_chart(const LineChart& chart) {
  double x_low = INFINITY, x_high = -INFINITY, y_low = INFINITY, y_high = -INFINITY;
  for (const auto& s : chart.series)
    for (const auto& p : s.points) {
      if (!finite(p)) continue;
      x_low = std::min(x_low, p.x), x_high = std::max(x_high, p.x);
      y_low = std::min(y_low, has_band(p) ? std::min(p.low, p.y) : p.y);
      y_high = std::max(y_high, has_band(p) ? std::max(p.high, p.y) : p.y);
    }
  const bool any = std::isfinite(x_low);
  const auto xt = any ? axis_ticks(x_low, x_high, 8, chart.integer_x) : std::vector<double>{0, 1};
  const auto yt = any ? axis_ticks(y_low, y_high, 6) : std::vector<double>{0, 1};
  const double plot_w = chart.width - kLeft - kRight, plot_h = chart.height - kTop - kBottom;
  const auto px = [&](double x) { return kLeft + (x - xt.front()) / (xt.back() - xt.front()) * plot_w; };
  const auto py = [&](double y) { return kTop + (yt.back() - y) / (yt.back() - yt.front()) * plot_h; };
  const auto f = [](double v) { return fmt::format("{:.1f}", v); };

  std::vector<std::string> colors;
  for (std::size_t i = 0; i < chart.series.size(); ++i)
    colors.push_back(chart.series[i].color.empty() ? series_color(i) : chart.series[i].color);
  const Legend legend = lay_out_legend(chart, colors);
  const int total_h = chart.height + (legend.rows > 0 ? legend.rows * kLegendRow + 6 : 0);

  HtmlWriter svg;
  svg.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                   {"viewBox", fmt::format("0 0 {} {}", chart.width, total_h)},
                   {"width", std::to_string(chart.width)},
                   {"height", std::to_string(total_h)},
                   {"class", "chart"},
                   {"role", "img"}});
  svg.element("title", {}, chart.title);
  svg.element("text", {{"x", f(chart.width / 2.0)}, {"y", "16"}, {"class", "chart-title"}}, chart.title);
  svg.element("rect", {{"x", f(kLeft)}, {"y", f(kTop)}, {"width", f(plot_w)}, {"height", f(plot_h)}, {"class", "plot-area"}},
              "");
  for (double t : yt) {
    svg.element("line", {{"x1", f(kLeft)}, {"x2", f(kLeft + plot_w)}, {"y1", f(py(t))}, {"y2", f(py(t))}, {"class", "grid"}},
                "");
    svg.element("text", {{"x", f(kLeft - 5)}, {"y", f(py(t) + 4)}, {"class", "tick y"}}, tick_label(t, yt[1] - yt[0]));
  }
  for (double t : xt) {
    svg.element("line", {{"x1", f(px(t))}, {"x2", f(px(t))}, {"y1", f(kTop)}, {"y2", f(kTop + plot_h)}, {"class", "grid"}},
                "");
    svg.element("text", {{"x", f(px(t))}, {"y", f(kTop + plot_h + 14)}, {"class", "tick x"}}, tick_label(t, xt[1] - xt[0]));
  }
  svg.element("text", {{"x", f(kLeft + plot_w / 2)}, {"y", f(kTop + plot_h + 32)}, {"class", "axis-label"}}, chart.x_label);
  svg.element("text", {{"x", "14"}, {"y", f(kTop + plot_h / 2)}, {"class", "axis-label"},
                       {"transform", fmt::format("rotate(-90 14 {})", f(kTop + plot_h / 2))}},
              chart.y_label);
  if (!any)
    svg.element("text", {{"x", f(kLeft + plot_w / 2)}, {"y", f(kTop + plot_h / 2)}, {"class", "no-values"}}, "no values");

  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const auto& s = chart.series[i];
    std::vector<ChartPoint> pts;
    std::copy_if(s.points.begin(), s.points.end(), std::back_inserter(pts), finite);
    if (pts.empty()) continue;
    svg.open("g", {{"class", "series"}});
    svg.element("title", {}, s.label);
    if (std::all_of(pts.begin(), pts.end(), has_band) && pts.size() > 1) {
      std::string outline;
      for (const auto& p : pts) outline += f(px(p.x)) + "," + f(py(p.high)) + " ";
      for (auto p = pts.rbegin(); p != pts.rend(); ++p) outline += f(px(p->x)) + "," + f(py(p->low)) + " ";
      svg.element("polygon", {{"points", outline}, {"fill", colors[i]}, {"class", "band"}}, "");
    }
    std::string line;
    for (const auto& p : pts) line += f(px(p.x)) + "," + f(py(p.y)) + " ";
    HtmlAttributes style = {{"points", line}, {"stroke", colors[i]}, {"class", "line"}};
    if (s.dashed) style.emplace_back("stroke-dasharray", "6 4");
    svg.element("polyline", style, "");
    if (pts.size() <= kMaxMarkers)
      for (const auto& p : pts) {
        svg.open("circle", {{"cx", f(px(p.x))}, {"cy", f(py(p.y))}, {"r", "2.6"}, {"fill", colors[i]}});
        std::string tip = fmt::format("{}: {} {}, {} {}", s.label, chart.x_label, number(p.x), chart.y_label, number(p.y));
        if (has_band(p)) tip += fmt::format(" [{}, {}]", number(p.low), number(p.high));
        svg.element("title", {}, tip).close();
      }
    svg.close();
  }

  for (std::size_t k = 0; k < legend.entries.size(); ++k) {
    const auto& [series, color] = legend.entries[k];
    const auto [x, row] = legend.positions[k];
    const double y = chart.height + 4 + row * kLegendRow + kLegendRow / 2.0;
    HtmlAttributes swatch = {{"x1", f(x)}, {"x2", f(x + 18)}, {"y1", f(y)}, {"y2", f(y)}, {"stroke", color},
                             {"class", "line"}};
    if (series->dashed) swatch.emplace_back("stroke-dasharray", "6 4");
    svg.element("line", swatch, "");
    svg.element("text", {{"x", f(x + 24)}, {"y", f(y + 4)}, {"class", "legend"}}, series->label);
  }
  svg.close();
  return svg.finish();
}

}  // namespace retrain
