// PNG output of an Image: encoded in memory with stb_image_write, written with an atomic replace.
#pragma once
#include <filesystem>
#include <string>

#include "retrain/plots/image.hpp"

namespace retrain {

// The complete PNG file (8-bit RGB) as bytes.
std::string encode_png(const Image& image);

// encode_png + write_file_atomic: readers see the old file or the complete new one.
void write_png(const std::filesystem::path& path, const Image& image);

}  // namespace retrain
