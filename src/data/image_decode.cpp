// Decoding with stb_image (its implementation lives here, static to this unit) and shape-checked stacking.
#include "retrain/core/errors.hpp"
#include "retrain/data/image_decode.hpp"

#include <fmt/format.h>

#include <cctype>
#include <memory>
#include <stdexcept>

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#include <stb_image.h>

namespace retrain {

torch::Tensor decode_image(std::string_view bytes, const std::string& name) {
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels_in_file = 0;
  if (!stbi_info_from_memory(data, length, &width, &height, &channels_in_file)) {
    throw CorruptFile(fmt::format("{}: not a readable PNG/JPEG image ({})", name, stbi_failure_reason()));
  }
  const int channels = channels_in_file <= 2 ? 1 : 3;
  int w = 0, h = 0, n = 0;
  const std::unique_ptr<stbi_uc, decltype(&stbi_image_free)> pixels(
      stbi_load_from_memory(data, length, &w, &h, &n, channels), &stbi_image_free);
  if (!pixels) {
    throw CorruptFile(fmt::format("{}: cannot decode image ({})", name, stbi_failure_reason()));
  }
  const auto hwc = torch::from_blob(pixels.get(), {h, w, channels}, torch::kUInt8);
  return hwc.permute({2, 0, 1}).clone();
}

torch::Tensor stack_images(const std::vector<torch::Tensor>& images, const std::vector<std::string>& names) {
  if (images.empty()) return torch::empty({0, 0, 0, 0}, torch::kUInt8);
  for (std::size_t i = 1; i < images.size(); ++i) {
    if (images[i].sizes() != images[0].sizes()) {
      throw CorruptFile(fmt::format("{}: image shape [C, H, W] = {} differs from {} of {}", names[i],
                                           c10::str(images[i].sizes()), c10::str(images[0].sizes()), names[0]));
    }
  }
  return torch::stack(images);
}

bool is_image_file_name(std::string_view name) {
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.ends_with(".png") || lower.ends_with(".jpg") || lower.ends_with(".jpeg");
}

}  // namespace retrain
