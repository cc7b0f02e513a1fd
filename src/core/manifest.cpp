// MANIFEST.json: {"files": {"rel/path": {"size": N, "crc32": "hex"}}, "info": {...}}.
#include "retrain/core/manifest.hpp"

#include <fmt/format.h>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/checksum.hpp"

namespace retrain {

namespace fs = std::filesystem;

void write_manifest(const fs::path& dir, const nlohmann::json& info) {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == kManifestName) continue;
    files[fs::relative(entry.path(), dir).generic_string()] = {{"size", entry.file_size()},
                                                               {"crc32", hex32(crc32_file(entry.path()))}};
  }
  nlohmann::json manifest = {{"files", files}, {"info", info}};
  write_file_atomic(dir / kManifestName, manifest.dump(1) + "\n");
}

std::optional<std::string> verify_manifest(const fs::path& dir) {
  const fs::path file = dir / kManifestName;
  if (!fs::exists(file)) return fmt::format("no {} (incomplete write)", kManifestName);
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(read_file(file));
  } catch (const std::exception& e) {
    return fmt::format("{} is unreadable: {}", kManifestName, e.what());
  }
  if (!manifest.contains("files") || !manifest["files"].is_object()) return fmt::format("{} has no file list", kManifestName);
  for (const auto& [name, meta] : manifest["files"].items()) {
    const fs::path p = dir / name;
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) return fmt::format("'{}' is missing", name);
    if (size != meta.value("size", std::uint64_t{0}))
      return fmt::format("'{}' has {} bytes; the manifest says {}", name, size, meta.value("size", std::uint64_t{0}));
    if (hex32(crc32_file(p)) != meta.value("crc32", std::string{}))
      return fmt::format("'{}' fails its CRC-32 check (corrupted)", name);
  }
  return std::nullopt;
}

}  // namespace retrain
