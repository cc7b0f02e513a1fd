// MANIFEST.json: {"files": {"rel/path": {"size": N, "crc32": "hex"}}, "info": {...}}.
#include "retrain/core/manifest.hpp"

#include <fmt/format.h>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"

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
  const auto& listed = manifest["files"];
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path() == file) continue;
    const auto name = fs::relative(entry.path(), dir).generic_string();
    if (!listed.contains(name)) return fmt::format("'{}' is not listed in {} (added after it was written)", name, kManifestName);
  }
  for (const auto& [name, meta] : listed.items()) {
    if (!meta.is_object() || !meta.contains("size") || !meta["size"].is_number_unsigned() || !meta.contains("crc32") ||
        !meta["crc32"].is_string())
      return fmt::format("{} lists '{}' without a size and crc32", kManifestName, name);
    const fs::path p = dir / name;
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec) return fmt::format("'{}' is missing", name);
    if (size != meta["size"].get<std::uint64_t>())
      return fmt::format("'{}' has {} bytes; the manifest says {}", name, size, meta["size"].get<std::uint64_t>());
    if (hex32(crc32_file(p)) != meta["crc32"].get<std::string>())
      return fmt::format("'{}' fails its CRC-32 check (corrupted)", name);
  }
  return std::nullopt;
}

void require_manifest(const fs::path& dir, const std::string& what) {
  if (const auto problem = verify_manifest(dir))
    throw CorruptFile(fmt::format("{} '{}' fails its integrity check: {}; it cannot be trusted", what, dir.string(), *problem));
}

}  // namespace retrain
