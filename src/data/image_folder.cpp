// Image folder reader: recursive listing, sorted decoding, labels from the first-level sub-folder.
#include "retrain/data/image_folder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/image_decode.hpp"

namespace retrain {

ImageDataset read_image_folder(const std::filesystem::path& dir, bool class_from_subfolder) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw UsageError(fmt::format("image folder not found: {}", dir.string()));
  std::vector<std::string> relative;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && is_image_file_name(entry.path().filename().string())) {
      relative.push_back(entry.path().lexically_relative(dir).generic_string());
    }
  }
  std::sort(relative.begin(), relative.end());
  if (relative.empty()) throw UsageError(fmt::format("{}: no PNG/JPEG images found", dir.string()));

  std::vector<std::string> classes;
  if (class_from_subfolder) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_directory()) classes.push_back(entry.path().filename().string());
    }
    std::sort(classes.begin(), classes.end());
  }
  std::vector<std::string> locations;
  std::vector<torch::Tensor> images;
  std::vector<std::int64_t> labels;
  for (const auto& name : relative) {
    locations.push_back((dir / name).string());
    images.push_back(decode_image(read_file(dir / name), locations.back()));
    if (!class_from_subfolder) continue;
    const auto slash = name.find('/');
    if (slash == std::string::npos) {
      throw UsageError(
          fmt::format("{}: not in a class sub-folder (class_from_subfolder is on)", locations.back()));
    }
    const auto it = std::lower_bound(classes.begin(), classes.end(), name.substr(0, slash));
    labels.push_back(it - classes.begin());
  }
  torch::Tensor label_tensor;
  if (class_from_subfolder) label_tensor = torch::tensor(labels, torch::kInt64);
  return ImageDataset((dir / ".").parent_path().filename().string(), stack_images(images, locations), label_tensor,
                      static_cast<std::int64_t>(classes.size()));
}

}  // namespace retrain
