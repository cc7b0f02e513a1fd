// Reader of the CIFAR-10 binary distribution (the extracted `cifar-10-batches-bin/` directory).
//
// Format: train = data_batch_1.bin .. data_batch_5.bin, test = test_batch.bin. Each file is a sequence of
// records of 3073 bytes (10000 per file in the distribution): 1 label byte (0..9), then 3072 pixel bytes:
// 1024 red, 1024 green, 1024 blue, each plane 32x32 row-major (top row first).
#pragma once
#include <filesystem>
#include <string_view>

#include "retrain/data/image_dataset.hpp"

namespace retrain {

// All records of `split` ("train" or "test") in file order: uint8 [N, 3, 32, 32], labels int64 [N],
// 10 classes, named "cifar10-<split>". UsageError for an unknown split or a missing directory/file;
// std::runtime_error naming the file for a size that is not a multiple of 3073 or a label above 9.
ImageDataset read_cifar10(const std::filesystem::path& dir, std::string_view split);

}  // namespace retrain
