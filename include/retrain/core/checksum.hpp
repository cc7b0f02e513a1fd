// CRC-32 (zlib) of bytes and files, used by manifests to detect truncated or corrupted files.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace retrain {

std::uint32_t crc32_bytes(std::string_view bytes, std::uint32_t crc = 0);
std::uint32_t crc32_file(const std::filesystem::path& path);
// Eight lower-case hex digits.
std::string hex32(std::uint32_t value);

}  // namespace retrain
