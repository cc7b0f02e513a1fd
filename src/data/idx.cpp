// IDX reader: whole file into memory, gunzipped with zlib when it starts with the gzip magic, header
// checked, payload wrapped as a tensor.
#include "retrain/data/idx.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <stdexcept>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;
constexpr std::uint32_t kLabelsMagic = 0x00000801;

std::string gunzip(const std::string& compressed, const std::filesystem::path& file) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw RuntimeFailure("zlib: inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buffer[1 << 16];
  int status = Z_OK;
  while (status == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof(buffer);
    status = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - zs.avail_out);
    if (status == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended before the gzip stream did
  }
  inflateEnd(&zs);
  if (status != Z_STREAM_END) {
    throw CorruptFile(fmt::format("{}: corrupt or truncated gzip data", file.string()));
  }
  return out;
}

// The file's bytes, decompressed when it is gzipped.
std::string read_maybe_gzipped(const std::filesystem::path& file) {
  if (!std::filesystem::is_regular_file(file)) {
    throw UsageError(fmt::format("IDX file not found: {}", file.string()));
  }
  std::string bytes = read_file(file);
  const bool gzipped = bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
                       static_cast<unsigned char>(bytes[1]) == 0x8b;
  return gzipped ? gunzip(bytes, file) : bytes;
}

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t offset) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return v;
}

// The dims of an IDX file with `magic` and `rank` dimensions, after checking header and payload size.
std::vector<std::int64_t> check_header(const std::string& bytes, const std::filesystem::path& file,
                                       std::uint32_t magic, std::size_t rank) {
  const std::size_t header = 4 * (1 + rank);
  if (bytes.size() < header) {
    throw CorruptFile(fmt::format("{}: {} bytes is too short for an IDX header", file.string(),
                                         bytes.size()));
  }
  const std::uint32_t found = big_endian_u32(bytes, 0);
  if (found != magic) {
    throw CorruptFile(fmt::format("{}: bad IDX magic 0x{:08x} (expected 0x{:08x})", file.string(), found,
                                         magic));
  }
  std::vector<std::int64_t> dims;
  std::size_t payload = 1;
  for (std::size_t i = 0; i < rank; ++i) {
    dims.push_back(big_endian_u32(bytes, 4 * (1 + i)));
    if (__builtin_mul_overflow(payload, static_cast<std::size_t>(dims.back()), &payload))
      throw CorruptFile(fmt::format("{}: IDX dimensions {} are too large to address", file.string(),
                                           fmt::join(dims, " x ")));
  }
  if (dims[0] == 0) throw CorruptFile(fmt::format("{}: the IDX header announces 0 items", file.string()));
  if (bytes.size() != header + payload) {
    throw CorruptFile(fmt::format("{}: {} payload bytes, the header announces {}", file.string(),
                                         bytes.size() - header, payload));
  }
  return dims;
}

torch::Tensor payload(const std::string& bytes, std::size_t header, std::vector<std::int64_t> dims) {
  return torch::from_blob(const_cast<char*>(bytes.data() + header), dims, torch::kUInt8).clone();
}

}  // namespace

ImageDataset read_idx(const std::filesystem::path& images_file,
                      const std::optional<std::filesystem::path>& labels_file, std::int64_t pad_to) {
  const std::string image_bytes = read_maybe_gzipped(images_file);
  const auto dims = check_header(image_bytes, images_file, kImagesMagic, 3);
  const std::int64_t n = dims[0], height = dims[1], width = dims[2];
  auto images = payload(image_bytes, 16, {n, 1, height, width});
  if (pad_to > 0) {
    if (pad_to < height || pad_to < width) {
      throw UsageError(fmt::format("{}: pad_to {} is smaller than the images ({}x{})", images_file.string(),
                                   pad_to, height, width));
    }
    const std::int64_t top = (pad_to - height) / 2, left = (pad_to - width) / 2;
    images = torch::constant_pad_nd(images, {left, pad_to - width - left, top, pad_to - height - top}, 0);
  }
  torch::Tensor labels;
  std::int64_t num_classes = 0;
  if (labels_file) {
    const std::string label_bytes = read_maybe_gzipped(*labels_file);
    const auto count = check_header(label_bytes, *labels_file, kLabelsMagic, 1)[0];
    if (count != n) {
      throw CorruptFile(fmt::format("{}: {} labels, but {} has {} images", labels_file->string(), count,
                                           images_file.string(), n));
    }
    labels = payload(label_bytes, 8, {n}).to(torch::kInt64);
    num_classes = n > 0 ? labels.max().item<std::int64_t>() + 1 : 0;
  }
  return ImageDataset(images_file.filename().string(), images, labels, num_classes);
}

}  // namespace retrain
