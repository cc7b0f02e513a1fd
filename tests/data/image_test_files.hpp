// Test helpers for the image readers: deterministic pixel patterns, PNG/JPEG encoding (stb_image_write,
// static to each test unit), zip archives (libzip) and gzip files (zlib) written in memory or to disk.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zip.h>
#include <zlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace retrain::test {

// uint8 [C, H, W] whose pixels (c, y, x) are (seed + 7c + 13y + 3x) mod 256: every image distinct.
inline torch::Tensor pattern(std::int64_t channels, std::int64_t height, std::int64_t width, std::int64_t seed) {
  const auto c = torch::arange(channels).view({-1, 1, 1});
  const auto y = torch::arange(height).view({1, -1, 1});
  const auto x = torch::arange(width).view({1, 1, -1});
  return ((seed + 7 * c + 13 * y + 3 * x) % 256).to(torch::kUInt8);
}

inline void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

// The PNG (grayscale for C = 1, RGB for C = 3) of uint8 [C, H, W].
inline std::string png_bytes(const torch::Tensor& chw) {
  const auto hwc = chw.permute({1, 2, 0}).contiguous();
  std::string out;
  const int c = static_cast<int>(chw.size(0)), h = static_cast<int>(chw.size(1)), w = static_cast<int>(chw.size(2));
  if (!stbi_write_png_to_func(append_bytes, &out, w, h, c, hwc.data_ptr<std::uint8_t>(), w * c)) {
    throw std::runtime_error("PNG encoding failed");
  }
  return out;
}

// The JPEG (quality 100) of uint8 [C, H, W]; lossy, so tests compare decoded pixels with a tolerance.
inline std::string jpeg_bytes(const torch::Tensor& chw) {
  const auto hwc = chw.permute({1, 2, 0}).contiguous();
  std::string out;
  const int c = static_cast<int>(chw.size(0)), h = static_cast<int>(chw.size(1)), w = static_cast<int>(chw.size(2));
  if (!stbi_write_jpg_to_func(append_bytes, &out, w, h, c, hwc.data_ptr<std::uint8_t>(), 100)) {
    throw std::runtime_error("JPEG encoding failed");
  }
  return out;
}

// A zip file at `path` holding (name, bytes) entries.
inline void write_zip(const std::filesystem::path& path, const std::vector<std::pair<std::string, std::string>>& files) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(archive, nullptr) << "zip_open error " << error;
  for (const auto& [name, bytes] : files) {
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    ASSERT_NE(source, nullptr);
    ASSERT_GE(zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8), 0) << zip_strerror(archive);
  }
  ASSERT_EQ(zip_close(archive), 0);  // the buffers must stay alive until here: zip_close reads them
}

// `bytes` gzipped into `path`.
inline void write_gzip(const std::filesystem::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

// The 32-bit big-endian encoding of `v`, as IDX headers store it.
inline std::string big_endian(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// An IDX images file holding uint8 [N, H, W].
inline std::string idx_images(const torch::Tensor& nhw) {
  const auto flat = nhw.contiguous();
  std::string out = big_endian(0x00000803);
  for (const auto d : nhw.sizes()) out += big_endian(static_cast<std::uint32_t>(d));
  out.append(reinterpret_cast<const char*>(flat.data_ptr<std::uint8_t>()), flat.numel());
  return out;
}

// An IDX labels file.
inline std::string idx_labels(const std::vector<std::uint8_t>& labels) {
  std::string out = big_endian(0x00000801);
  out += big_endian(static_cast<std::uint32_t>(labels.size()));
  out.append(labels.begin(), labels.end());
  return out;
}

}  // namespace retrain::test
