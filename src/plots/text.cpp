// Text rasterisation: stb_easy_font emits one quad (4 vertices) per glyph stroke; each quad is an
// axis-aligned rectangle, filled scaled by an integer factor.
#include "retrain/plots/text.hpp"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace retrain {

namespace {

// stb_easy_font indexes its glyph table by (char - 32): keep to printable ASCII and newlines.
std::string printable(std::string_view text) {
  std::string out(text);
  for (auto& ch : out)
    if (ch != '\n' && (ch < 32 || ch > 126)) ch = '?';
  return out;
}

struct Vertex {  // stb_easy_font's interleaved vertex layout
  float x, y, z;
  unsigned char color[4];
};
static_assert(sizeof(Vertex) == 16);

constexpr int kVertexBytesPerChar = 1024;  // generous: a glyph uses ~270 bytes on average

}  // namespace

int text_width(std::string_view text, int scale) {
  auto s = printable(text);
  return stb_easy_font_width(s.data()) * scale;
}

int text_height(int scale) { return 12 * scale; }

void draw_text(Image& image, int x, int y, std::string_view text, Rgb color, int scale) {
  auto s = printable(text);
  std::vector<Vertex> vertices((s.size() + 1) * kVertexBytesPerChar / sizeof(Vertex));
  const int quads = stb_easy_font_print(0, 0, s.data(), nullptr, vertices.data(),
                                        static_cast<int>(vertices.size() * sizeof(Vertex)));
  for (int q = 0; q < quads; ++q) {
    const Vertex* v = &vertices[static_cast<std::size_t>(q) * 4];
    float x0 = v[0].x, x1 = v[0].x, y0 = v[0].y, y1 = v[0].y;
    for (int i = 1; i < 4; ++i) {
      x0 = std::min(x0, v[i].x), x1 = std::max(x1, v[i].x);
      y0 = std::min(y0, v[i].y), y1 = std::max(y1, v[i].y);
    }
    const int px = x + static_cast<int>(std::lround(x0)) * scale, py = y + static_cast<int>(std::lround(y0)) * scale;
    image.fill_rect(px, py, static_cast<int>(std::lround(x1 - x0)) * scale, static_cast<int>(std::lround(y1 - y0)) * scale,
                    color);
  }
}

}  // namespace retrain
