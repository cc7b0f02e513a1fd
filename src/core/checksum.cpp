// CRC-32 through zlib, streaming files in 1 MiB blocks.
#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <fstream>
#include <stdexcept>
#include <vector>

namespace retrain {

std::uint32_t crc32_bytes(std::string_view bytes, std::uint32_t crc) {
  // zlib takes uInt lengths; feed in chunks so >4 GiB inputs are fine.
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  uLong c = crc;
  while (left > 0) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    c = ::crc32(c, reinterpret_cast<const Bytef*>(p), chunk);
    p += chunk;
    left -= chunk;
  }
  return static_cast<std::uint32_t>(c);
}

std::uint32_t crc32_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RuntimeFailure(fmt::format("cannot open '{}' to checksum it", path.string()));
  std::vector<char> buffer(1 << 20);
  std::uint32_t crc = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    crc = crc32_bytes(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())), crc);
  }
  return crc;
}

std::string hex32(std::uint32_t value) { return fmt::format("{:08x}", value); }

}  // namespace retrain
