// CIFAR-10 binary reader: whole files into memory, records split into label bytes and pixel planes.
#include "retrain/data/cifar10.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

constexpr std::int64_t kSide = 32;
constexpr std::int64_t kPixels = 3 * kSide * kSide;
constexpr std::int64_t kRecord = 1 + kPixels;
constexpr std::int64_t kClasses = 10;

std::vector<std::string> split_files(std::string_view split) {
  if (split == "train") {
    return {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
  }
  if (split == "test") return {"test_batch.bin"};
  throw UsageError(fmt::format("CIFAR-10: unknown split '{}' (expected train or test)", split));
}

// One file's records as (images uint8 [n, 3, 32, 32], labels int64 [n]).
std::pair<torch::Tensor, torch::Tensor> read_batch_file(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) {
    throw UsageError(fmt::format("CIFAR-10: file not found: {}", file.string()));
  }
  const std::string bytes = read_file(file);
  const auto size = static_cast<std::int64_t>(bytes.size());
  if (size == 0)
    throw CorruptFile(fmt::format("{}: empty file (a CIFAR-10 batch holds records of {} bytes)", file.string(),
                                         kRecord));
  if (size % kRecord != 0) {
    throw CorruptFile(fmt::format("{}: size {} bytes is not a multiple of the record size {}",
                                         file.string(), size, kRecord));
  }
  const std::int64_t n = size / kRecord;
  const auto records =
      torch::from_blob(const_cast<char*>(bytes.data()), {n, kRecord}, torch::kUInt8).clone();
  const auto labels = records.select(1, 0).to(torch::kInt64);
  if (n > 0) {
    const auto bad = (labels >= kClasses).nonzero();
    if (bad.numel() > 0) {
      const auto record = bad[0][0].item<std::int64_t>();
      throw CorruptFile(fmt::format("{}: record {} has label {} (expected 0..9)", file.string(), record,
                                           labels[record].item<std::int64_t>()));
    }
  }
  return {records.slice(1, 1).reshape({n, 3, kSide, kSide}), labels};
}

}  // namespace

ImageDataset read_cifar10(const std::filesystem::path& dir, std::string_view split) {
  const auto names = split_files(split);
  if (!std::filesystem::is_directory(dir)) {
    throw UsageError(fmt::format("CIFAR-10: directory not found: {}", dir.string()));
  }
  std::vector<torch::Tensor> images, labels;
  for (const auto& name : names) {
    auto [x, y] = read_batch_file(dir / name);
    images.push_back(std::move(x));
    labels.push_back(std::move(y));
  }
  return ImageDataset(fmt::format("cifar10-{}", split), torch::cat(images), torch::cat(labels), kClasses);
}

}  // namespace retrain
