// Line charts as inline SVG for the report page: axes with rounded ticks, one line per series, an
// optional shaded band per series (mean +- 2 SE), point tooltips and a legend (when two or more series
// are named in it); no script needed.
#pragma once
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace retrain {

struct ChartPoint {
  double x = 0, y = 0;
  double low = std::numeric_limits<double>::quiet_NaN();   // the band at x, when both are finite
  double high = std::numeric_limits<double>::quiet_NaN();
};

struct ChartSeries {
  std::string label;
  std::vector<ChartPoint> points;  // in x order; points with a non-finite x or y are left out
  std::string color;               // a CSS colour; empty: series_color(index in the chart)
  bool dashed = false;
  bool in_legend = true;
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<ChartSeries> series;
  bool integer_x = false;  // x is a count (generations): ticks at whole numbers only
  int width = 380, height = 260;  // of the plot with its axes (three side by side on a wide page); the legend adds rows below
};

// Tick positions for an axis over [low, high]: multiples of one step of 1, 2 or 5 times a power of ten,
// at most `max_count` (>= 2) of them, the first <= low and the last >= high (a range of one value is
// widened around it). `integer_step` keeps the step >= 1. std::invalid_argument for a non-finite bound.
std::vector<double> axis_ticks(double low, double high, int max_count, bool integer_step = false);

// The chart as one <svg> element. A chart without a finite point says "no values" in its plot area.
std::string svg_line_chart(const LineChart& chart);

// Colour i of a categorical palette (ten colours, then repeating), as "#rrggbb".
std::string series_color(std::size_t i);
// The dark-to-bright ramp of plots/colormap at t in [0, 1], as "#rrggbb" (lines ordered in time).
std::string ramp_css_color(double t);

}  // namespace retrain
