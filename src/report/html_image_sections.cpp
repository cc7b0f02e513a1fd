// The report's picture sections: the same-seed strip (and sample pictures) and the nearest real
// neighbours, embedded as PNG data URIs.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/report/html_base64.hpp"
#include "retrain/report/html_sections.hpp"
#include "retrain/report/html_series.hpp"

namespace retrain {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kMinShownWidth = 160;  // pixels on the page of the narrowest picture

// The picture of the first and of the last evaluated generation's samples (grid.png for images,
// density.png for points), when the run has them.
void write_sample_pictures(HtmlWriter& page, const RunFiles& run) {
  if (run.metrics.empty()) return;
  std::vector<std::int64_t> generations = {run.metrics.front()["generation"].get<std::int64_t>()};
  if (const auto last = run.metrics.back()["generation"].get<std::int64_t>(); last != generations.front())
    generations.push_back(last);
  for (const char* name : {"grid.png", "density.png"}) {
    std::vector<fs::path> pictures;
    for (auto g : generations)
      if (const auto p = run_layout::generation_dir(run.dir, g) / name; fs::exists(p)) pictures.push_back(p);
    if (pictures.empty()) continue;
    page.open("div", {{"class", "figures"}});
    for (const auto& p : pictures)
      write_png_figure(page, p, fmt::format("{}: {}", run.label, fs::relative(p, run.dir).string()));
    page.close();
    return;
  }
}

double nearest_distance_mean(const GenerationNeighbours& n) {
  double sum = 0;
  std::size_t count = 0;
  for (const auto& row : n.rows)
    if (!row.neighbours.empty()) sum += row.neighbours.front().distance, ++count;
  return count ? sum / static_cast<double>(count) : std::numeric_limits<double>::quiet_NaN();
}

std::string neighbours_caption(const std::string& label, const GenerationNeighbours& n) {
  std::string seeds;
  for (const auto& row : n.rows)
    if (!row.neighbours.empty())
      seeds += fmt::format("{}seed {}: {:.4g}", seeds.empty() ? "" : ", ", row.seed, row.neighbours.front().distance);
  return fmt::format("{}generation {}: nearest real images in {} space; distance to the nearest per row: {}",
                     label.empty() ? "" : label + ", ", n.generation, n.space, seeds);
}

}  // namespace

void write_png_figure(HtmlWriter& page, const fs::path& png, const std::string& caption) {
  const std::string bytes = read_file(png);
  // The width from the PNG's IHDR chunk (big-endian, after the 8-byte signature and the chunk header).
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || bytes.compare(12, 4, "IHDR") != 0)
    throw UsageError(fmt::format("'{}' is not a PNG file; expected a picture written by retrain", png.string()));
  std::uint32_t width = 0;
  for (int i = 16; i < 20; ++i) width = width << 8 | static_cast<std::uint8_t>(bytes[i]);
  // Tiny pictures (8x8 samples side by side) are drawn enlarged by a whole factor, pixels kept sharp.
  const std::uint32_t scale = width > 0 && width < kMinShownWidth ? (kMinShownWidth + width - 1) / width : 1;
  page.open("figure")
      .empty("img", {{"src", data_uri("image/png", bytes)}, {"alt", caption}, {"width", std::to_string(width * scale)}})
      .element("figcaption", {}, caption)
      .close();
}

void write_strip_section(HtmlWriter& page, const ReportInput& input) {
  const bool any_strip = input.density_strip || std::any_of(input.runs.begin(), input.runs.end(),
                                                          [](const RunFiles& r) { return r.seed_strip.has_value(); });
  if (!any_strip)
    write_missing(page, fmt::format("No same-seed strip: {} no plots/seed_strip.png (image runs whose generations "
                                    "hold seed_samples.png) and no strip.png (2-D point runs with samples.npy); runs "
                                    "written before these existed, and Gaussian runs, have none.",
                                    input.sweep ? "the grid points have" : "this run has"));
  else
    page.element("p", {}, "Images: the same seeds drawn by every generation's model, one row per seed, one column "
                          "per generation; read a row left to right to watch one sample drift. Points: the density "
                          "of the samples at chosen generations beside the true one.");
  if (input.density_strip)
    write_png_figure(page, *input.density_strip,
                     fmt::format("strip.png: the true density, then the samples of chosen generations{}",
                                 input.sweep ? " (one row per grid point)" : ""));
  for (const auto& run : input.runs)
    if (run.seed_strip) write_png_figure(page, *run.seed_strip, fmt::format("{}: plots/seed_strip.png", run.label));
  if (!input.sweep) {
    page.element("h3", {}, "Samples of the first and the last evaluated generation");
    write_sample_pictures(page, input.runs.front());
  }
}

void write_neighbours_section(HtmlWriter& page, const ReportInput& input) {
  if (std::all_of(input.runs.begin(), input.runs.end(), [](const RunFiles& r) { return r.neighbours.empty(); })) {
    write_missing(page, fmt::format("No nearest-neighbour views: no generation {} neighbours.png and neighbours.json "
                                    "(written for image runs; point and Gaussian runs, and runs written before they "
                                    "existed, have none).",
                                    input.sweep ? "of the grid points holds" : "of this run holds"));
    return;
  }
  const auto& any = *std::find_if(input.runs.begin(), input.runs.end(), [](const RunFiles& r) { return !r.neighbours.empty(); });
  const std::string space = any.neighbours.front().space;
  page.element("p", {}, fmt::format("For a few samples of a generation, the closest real "
                                    "training images in {} space, with their distances: a sample that copies a training "
                                    "image sits close to it. The chart: the mean distance to the nearest real image.",
                                    space));
  const auto groups = group_seeds(input.runs);
  const auto lines = group_lines(input.runs, groups, [](const RunFiles& run) {
    GenerationValues values;
    for (const auto& n : run.neighbours) values[n.generation] = {nearest_distance_mean(n)};
    return values;
  });
  page.open("div", {{"class", "charts"}})
      .markup(svg_line_chart({"distance to the nearest real image", "generation", fmt::format("distance ({})", space),
                              lines, /*integer_x=*/true}))
      .close();
  if (input.sweep) {
    page.open("div", {{"class", "figures"}});
    for (const auto& run : input.runs)
      if (!run.neighbours.empty())
        write_png_figure(page, run.neighbours.back().image, neighbours_caption(run.label, run.neighbours.back()));
    page.close();
    return;
  }
  const auto& all = input.runs.front().neighbours;
  page.open("div", {{"class", "figures"}});
  write_png_figure(page, all.front().image, neighbours_caption("", all.front()));
  if (all.size() > 1) write_png_figure(page, all.back().image, neighbours_caption("", all.back()));
  page.close();
  if (all.size() > 2) {
    const auto between = all.size() - 2;
    page.open("details").element("summary", {}, fmt::format("the {} generation{} between", between, between > 1 ? "s" : ""));
    page.open("div", {{"class", "figures"}});
    for (std::size_t i = 1; i + 1 < all.size(); ++i) write_png_figure(page, all[i].image, neighbours_caption("", all[i]));
    page.close().close();
  }
}

}  // namespace retrain
