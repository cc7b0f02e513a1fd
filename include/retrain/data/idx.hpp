// Reader of IDX files (MNIST, Fashion-MNIST), gzipped (detected by the magic bytes 1f 8b) or raw.
//
// Format (all integers big-endian uint32): images file = magic 0x00000803, N, H, W, then N*H*W uint8
// pixels row-major; labels file = magic 0x00000801, N, then N uint8 labels.
#pragma once
#include <filesystem>
#include <optional>

#include "retrain/data/image_dataset.hpp"

namespace retrain {

// The images as uint8 [N, 1, H, W] (named after the images file) with the labels of `labels_file` when
// given (num_classes = largest label + 1). pad_to > 0 zero-pads every image, centred, to pad_to x pad_to
// (UsageError when smaller than H or W). UsageError for a missing file; std::runtime_error naming the
// file for a bad magic, a truncated or over-long file, corrupt gzip data, or a label count that differs
// from the image count.
ImageDataset read_idx(const std::filesystem::path& images_file,
                      const std::optional<std::filesystem::path>& labels_file, std::int64_t pad_to = 0);

}  // namespace retrain
