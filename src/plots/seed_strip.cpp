// Seed strip: read the committed tiles, cut them into samples, enlarge, lay out with PanelFigure.
#include "retrain/plots/seed_strip.hpp"

#include <fmt/format.h>

#include <map>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/data/image_decode.hpp"
#include "retrain/plots/image_grid.hpp"
#include "retrain/plots/png.hpp"
#include "retrain/plots/strip_figure.hpp"

namespace retrain {

namespace fs = std::filesystem;

bool write_seed_strip(const fs::path& run) {
  std::map<std::int64_t, fs::path> tiles;  // committed generation -> its tile, in generation order
  for (const auto& entry : fs::directory_iterator(run)) {
    const auto g = run_layout::parse_generation_name(entry.path().filename().string());
    if (g && fs::is_regular_file(entry.path() / run_layout::kSeedSamplesFile))
      tiles[*g] = entry.path() / run_layout::kSeedSamplesFile;
  }
  if (tiles.empty()) return false;

  PanelFigure figure;
  std::int64_t side = 0, seeds = 0, scale = 1;
  for (const auto& [generation, file] : tiles) {
    const auto tile = decode_image(read_file(file), file.string());  // uint8 [C, H, W]
    const auto height = tile.size(1), width = tile.size(2);
    if (height % width != 0)
      throw CorruptFile(fmt::format("'{}' is {}x{} pixels; a seed tile is a column of square samples", file.string(),
                                           width, height));
    if (side == 0) {
      side = width;
      seeds = height / width;
      scale = (kSeedStripPanel + side - 1) / side;
      for (std::int64_t r = 0; r < seeds; ++r) figure.rows.push_back({fmt::format("seed {}", r), {}});
    } else if (width != side || height / width != seeds) {
      throw CorruptFile(fmt::format("'{}' is {}x{} pixels, but the first tile is {}x{}", file.string(), width, height,
                                           side, side * seeds));
    }
    figure.column_titles.push_back(fmt::format("gen {}", generation));
    for (std::int64_t r = 0; r < seeds; ++r) {
      const auto sample = tile.narrow(1, r * side, side).repeat_interleave(scale, 1).repeat_interleave(scale, 2);
      figure.rows[r].cells.push_back(tensor_to_image(sample.contiguous()));
    }
  }
  const auto out = run / run_layout::kSeedStripFile;
  fs::create_directories(out.parent_path());
  const int panel = static_cast<int>(side * scale);
  write_png(out, render_panel_figure(figure, panel, panel));
  return true;
}

}  // namespace retrain
