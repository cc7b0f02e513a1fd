// Reader of the layout written by NVlabs/edm's dataset_tool.py, as a zip file or an extracted folder.
//
// Format: PNG images at any relative path inside the zip/folder (e.g. `00000/img00000000.png`), taken in
// sorted order of their relative paths ('/'-separated); RGB or grayscale (C = 3 or 1), all of one shape.
// Optional `dataset.json` at the top: {"labels": [["00000/img00000000.png", 6], ...]} giving an integer
// class for every image, or {"labels": null} for an unlabelled set; num_classes = largest label + 1.
#pragma once
#include <filesystem>

#include "retrain/data/image_dataset.hpp"

namespace retrain {

// The images (uint8 [N, C, H, W]) and labels of the zip file or folder at `path`, named after its file
// name. UsageError when `path` does not exist; std::runtime_error naming the file for an image that
// cannot be decoded or differs in shape from the first, a malformed dataset.json, or an image without
// a label.
ImageDataset read_edm_dataset(const std::filesystem::path& path);

}  // namespace retrain
