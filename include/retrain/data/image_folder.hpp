// Reader of any folder of PNG/JPEG images (searched recursively), optionally labelled by sub-folder.
//
// Format: files ending in .png, .jpg or .jpeg (any case) anywhere below the folder, taken in sorted order
// of their relative paths ('/'-separated); RGB or grayscale (C = 3 or 1), all of one shape. With
// class_from_subfolder, an image's label is the index of its first-level sub-folder among the sorted
// names of all first-level sub-folders (as torchvision's ImageFolder), and images directly in the
// folder are an error.
#pragma once
#include <filesystem>

#include "retrain/data/image_dataset.hpp"

namespace retrain {

// The images (uint8 [N, C, H, W]) below `dir`, named after the folder; labels per class_from_subfolder.
// UsageError when `dir` is not a directory; std::runtime_error naming the file for an undecodable image,
// one whose shape differs from the first, or an unlabelled image when labels are asked for.
ImageDataset read_image_folder(const std::filesystem::path& dir, bool class_from_subfolder);

}  // namespace retrain
