// The report page's markup: HTML escaping and the element writer, file links, base64, and the SVG line
// chart (ticks, pixel mapping, bands, legend, tooltips).
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <sstream>

#include "retrain/report/html_base64.hpp"
#include "retrain/report/html_line_chart.hpp"
#include "retrain/report/html_writer.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

// The (x, y) pixel pairs in the points="x,y x,y ..." attribute of the first `element` of `svg`.
std::vector<std::pair<double, double>> coordinates(const std::string& svg, const std::string& element) {
  const std::regex points(element + R"([^>]* points="([^"]*)\")");
  std::smatch m;
  if (!std::regex_search(svg, m, points)) return {};
  std::vector<std::pair<double, double>> out;
  std::istringstream in(m[1].str());
  for (std::string pair; in >> pair;) {
    const auto comma = pair.find(',');
    out.emplace_back(std::stod(pair.substr(0, comma)), std::stod(pair.substr(comma + 1)));
  }
  return out;
}

TEST(HtmlMarkup, EscapesTheFiveMarkupCharactersAndNothingElse) {
  EXPECT_EQ(escape_html(R"(<a href="x">Tom & 'Jerry'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  EXPECT_EQ(escape_html("lambda=0.5, gamma \xce\xb3 \xe2\x86\x92 1"), "lambda=0.5, gamma \xce\xb3 \xe2\x86\x92 1");
  EXPECT_EQ(escape_html("&amp;"), "&amp;amp;");  // escaped again, never taken for a reference
}

TEST(HtmlMarkup, TheWriterNestsEscapesAndRefusesUnbalancedMarkup) {
  HtmlWriter w;
  w.open("p", {{"class", "a\"b"}}).text("1 < 2").empty("br").element("code", {}, "x&y").close();
  EXPECT_EQ(w.finish(), "<p class=\"a&quot;b\">1 &lt; 2<br><code>x&amp;y</code></p>");
  HtmlWriter open;
  open.open("section").open("div");
  EXPECT_THROW(open.finish(), std::logic_error);
  EXPECT_NE(test::message_of<std::logic_error>([&] { open.finish(); }).find("section, div"), std::string::npos);
  HtmlWriter none;
  EXPECT_THROW(none.close(), std::logic_error);
}

TEST(HtmlMarkup, FileLinksAreRelativeAndPercentEncoded) {
  test::ScratchDir dir;
  fs::create_directories(dir / "sweep/lambda=1 #2");
  EXPECT_EQ(file_href(dir / "sweep", dir / "sweep/lambda=1 #2/report.html"), "lambda%3D1%20%232/report.html");
  EXPECT_EQ(file_href(dir / "sweep/lambda=1 #2", dir / "parent/report.html"), "../../parent/report.html");
}

TEST(HtmlMarkup, Base64MatchesRfc4648) {
  // RFC 4648 section 10's test vectors, then bytes above 0x7f and zeros.
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}, {"\xff\xfe\xfd", "//79"},
      {std::string("\0\0\0\0", 4), "AAAAAA=="}};
  for (const auto& [bytes, encoded] : vectors) EXPECT_EQ(base64_encode(bytes), encoded) << encoded;
  EXPECT_EQ(data_uri("image/png", "foo"), "data:image/png;base64,Zm9v");
}

TEST(HtmlMarkup, AxisTicksAreRoundStepsCoveringTheRange) {
  const auto unit = axis_ticks(0, 1, 6);
  ASSERT_EQ(unit.size(), 6u);
  for (std::size_t i = 0; i < unit.size(); ++i) EXPECT_NEAR(unit[i], 0.2 * static_cast<double>(i), 1e-12);
  for (auto [low, high] : {std::pair{0.013, 0.97}, {-3.2, 41.0}, {1e-6, 7e-6}, {1234.0, 98765.0}, {5.0, 5.0}}) {
    const auto ticks = axis_ticks(low, high, 6);
    ASSERT_GE(ticks.size(), 2u);
    EXPECT_LE(ticks.size(), 6u);
    EXPECT_LE(ticks.front(), low);
    EXPECT_GE(ticks.back(), high);
    const double step = ticks[1] - ticks[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6)
        << low << ".." << high << ": step " << step;
  }
  EXPECT_THROW(axis_ticks(0, INFINITY, 6), std::invalid_argument);
  const auto generations = axis_ticks(0, 3, 8, /*integer_step=*/true);
  EXPECT_EQ(generations, (std::vector<double>{0, 1, 2, 3}));
}

TEST(HtmlMarkup, ChartMapsValuesToPixelsWithBandsAndALegend) {
  LineChart chart{"sw2 <to data>", "generation", "sw2", {}, /*integer_x=*/true};
  chart.series.push_back({"real=none", {{0, 0}, {1, 1, 0.5, 1.5}, {2, 4}}});
  chart.series.push_back({"real=fixed", {{0, 1, 0.8, 1.2}, {1, 1.1, 0.9, 1.3}, {2, NAN}}, "", /*dashed=*/true});
  chart.series.push_back({"hidden", {{0, 2}}, "", false, /*in_legend=*/false});
  const std::string svg = svg_line_chart(chart);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("sw2 &lt;to data&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<to data>"), std::string::npos);
  // The first line: x grows with the generation, y (pixels, downwards) shrinks as the value grows.
  const auto line = coordinates(svg, "<polyline");
  ASSERT_EQ(line.size(), 3u);
  EXPECT_LT(line[0].first, line[1].first);
  EXPECT_LT(line[1].first, line[2].first);
  EXPECT_GT(line[0].second, line[1].second);
  EXPECT_GT(line[1].second, line[2].second);
  // Linear in both: generation 1 halfway between 0 and 2; value 1 a quarter of the way from 0 to 4.
  EXPECT_NEAR(line[1].first, (line[0].first + line[2].first) / 2, 0.11);
  EXPECT_NEAR(line[0].second - line[1].second, (line[0].second - line[2].second) / 4, 0.11);
  // A band only where every point of a series has one (the second series; its NaN point left out).
  EXPECT_EQ(count_of(svg, "class=\"band\""), 1u);
  const auto band = coordinates(svg, "<polygon");
  ASSERT_EQ(band.size(), 4u);  // two points up, two down
  EXPECT_EQ(count_of(svg, "stroke-dasharray"), 2u);  // the dashed line and its legend swatch
  EXPECT_EQ(count_of(svg, "class=\"legend\""), 2u);  // "hidden" is not in the legend
  EXPECT_EQ(count_of(svg, "<circle"), 6u);           // a marker with a tooltip per finite point
  EXPECT_NE(svg.find("<title>real=none: generation 1, sw2 1 [0.5, 1.5]</title>"), std::string::npos);

  const std::string empty = svg_line_chart({"nothing", "generation", "x", {{"a", {{0, NAN}}}}});
  EXPECT_NE(empty.find("no values"), std::string::npos);
  EXPECT_EQ(empty.find("<polyline"), std::string::npos);
}

}  // namespace
}  // namespace retrain
