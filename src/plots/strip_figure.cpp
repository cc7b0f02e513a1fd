// Strip figure: measure the text, place the panels, draw titles, labels and the panels (density
// panels of point sets, or ready-made images).
#include "retrain/plots/strip_figure.hpp"

#include <algorithm>

#include "retrain/plots/png.hpp"
#include "retrain/plots/text.hpp"

namespace retrain {

Image render_panel_figure(const PanelFigure& figure, int pw, int ph, const StripLayout& layout) {
  const auto cols = static_cast<int>(figure.column_titles.size());
  const auto rows = static_cast<int>(figure.rows.size());
  TORCH_CHECK(cols > 0 && rows > 0, "strip figure needs at least one column and one row, got ", cols, " and ", rows);
  for (const auto& row : figure.rows)
    TORCH_CHECK(static_cast<int>(row.cells.size()) == cols, "strip figure row '", row.label, "' has ", row.cells.size(),
                " cells for ", cols, " columns");
  const int gap = layout.gap, scale = layout.text_scale;

  int label_w = 0;
  for (const auto& row : figure.rows) label_w = std::max(label_w, text_width(row.label, scale));
  if (label_w > 0) label_w += gap;
  const bool any_title =
      std::any_of(figure.column_titles.begin(), figure.column_titles.end(), [](const auto& t) { return !t.empty(); });
  const int title_h = any_title ? text_height(scale) + gap : 0;

  Image image(2 * layout.margin + label_w + cols * pw + (cols - 1) * gap,
              2 * layout.margin + title_h + rows * ph + (rows - 1) * gap);
  const int x0 = layout.margin + label_w, y0 = layout.margin + title_h;
  for (int c = 0; c < cols; ++c) {
    const auto& title = figure.column_titles[c];
    draw_text(image, x0 + c * (pw + gap) + (pw - text_width(title, scale)) / 2, layout.margin, title, kBlack, scale);
  }
  for (int r = 0; r < rows; ++r) {
    const auto& row = figure.rows[r];
    draw_text(image, layout.margin, y0 + r * (ph + gap) + (ph - text_height(scale)) / 2, row.label, kBlack, scale);
    for (int c = 0; c < cols; ++c)
      if (row.cells[c]) image.blit(*row.cells[c], x0 + c * (pw + gap), y0 + r * (ph + gap));
  }
  return image;
}

Image render_strip_figure(const StripFigure& figure, const StripLayout& layout) {
  PanelFigure panels{figure.column_titles, {}};
  for (const auto& row : figure.rows) {
    PanelRow& out = panels.rows.emplace_back(PanelRow{row.label, {}});
    for (const auto& cell : row.cells)
      out.cells.push_back(cell.defined() ? std::optional<Image>(density_image(cell, layout.panel)) : std::nullopt);
  }
  return render_panel_figure(panels, layout.panel.width, layout.panel.height, layout);
}

void write_strip_figure(const std::filesystem::path& path, const StripFigure& figure, const StripLayout& layout) {
  write_png(path, render_strip_figure(figure, layout));
}

}  // namespace retrain
