// A grid of density panels like Figure 1 of Bertrand et al. (ICLR 2024): one row per run (label on the
// left), one column per stage (true density, generation 0, chosen generations; title on top).
#pragma once
#include <torch/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "retrain/plots/density.hpp"
#include "retrain/plots/image.hpp"

namespace retrain {

struct StripRow {
  std::string label;
  std::vector<torch::Tensor> cells;  // one [N, 2] point set per column; an undefined tensor leaves it blank
};

struct StripFigure {
  std::vector<std::string> column_titles;
  std::vector<StripRow> rows;
};

struct StripLayout {
  DensityOptions panel;  // extent and pixel size of every panel
  int gap = 4;           // between panels, and between text and panels
  int margin = 8;        // around everything
  int text_scale = 2;    // stb_easy_font pixels per glyph unit
};

// Layout on a white background, with pw x ph = panel.width x panel.height, R rows and C columns:
//   label_w = max text_width(row label) + gap (0 when every label is empty)
//   title_h = text_height + gap (0 when every title is empty)
//   width   = 2 margin + label_w + C pw + (C - 1) gap
//   height  = 2 margin + title_h + R ph + (R - 1) gap
// Panel (r, c) has its top-left corner at (margin + label_w + c (pw + gap), margin + title_h + r (ph + gap)).
// Titles are centred over their column (one wider than a panel spills into the gaps), labels vertically
// centred on their row. Every row needs C cells.
Image render_strip_figure(const StripFigure& figure, const StripLayout& layout = {});

void write_strip_figure(const std::filesystem::path& path, const StripFigure& figure, const StripLayout& layout = {});

// The same layout with ready-made panels (e.g. sample images): every panel is panel_width x
// panel_height (smaller ones sit at the cell's top-left), an empty cell stays blank; only
// layout.gap, layout.margin and layout.text_scale are used.
struct PanelRow {
  std::string label;
  std::vector<std::optional<Image>> cells;
};
struct PanelFigure {
  std::vector<std::string> column_titles;
  std::vector<PanelRow> rows;
};
Image render_panel_figure(const PanelFigure& figure, int panel_width, int panel_height, const StripLayout& layout = {});

}  // namespace retrain
