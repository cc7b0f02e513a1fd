// PNG encoding through stb_image_write's callback API (static functions: no symbol clashes with other units).
#include "retrain/plots/png.hpp"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb_image_write.h>
#pragma GCC diagnostic pop

#include <stdexcept>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {

namespace {
void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}
}  // namespace

std::string encode_png(const Image& image) {
  std::string out;
  const int ok = stbi_write_png_to_func(append_bytes, &out, image.width(), image.height(), 3, image.bytes().data(),
                                        image.width() * 3);
  if (ok == 0) throw RuntimeFailure("PNG encoding failed");
  return out;
}

void write_png(const std::filesystem::path& path, const Image& image) { write_file_atomic(path, encode_png(image)); }

}  // namespace retrain
