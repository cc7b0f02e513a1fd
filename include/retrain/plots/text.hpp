// Labels on plots: stb_easy_font's ASCII glyphs (made of rectangles) rasterised onto an Image at an
// integer scale. Bytes outside printable ASCII are drawn as '?'.
#pragma once
#include <string_view>

#include "retrain/plots/image.hpp"

namespace retrain {

// Width in pixels of the longest line of `text` at `scale`.
int text_width(std::string_view text, int scale);
// Height in pixels of one line of text (stb_easy_font's 12-pixel line pitch) at `scale`.
int text_height(int scale);
// Draws `text` with its top-left corner at (x, y); lines are separated by '\n'.
void draw_text(Image& image, int x, int y, std::string_view text, Rgb color, int scale);

}  // namespace retrain
