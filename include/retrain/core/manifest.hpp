// Directory manifests: MANIFEST.json lists every file's size and CRC-32 and is written last, so a
// directory with a valid manifest is complete; one without (or with a mismatch) is not trusted.
#pragma once
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace retrain {

inline constexpr const char* kManifestName = "MANIFEST.json";

// Checksums every regular file below `dir` (recursively) and writes MANIFEST.json atomically.
// `info` is stored under "info" for readers (e.g. the generation number).
void write_manifest(const std::filesystem::path& dir, const nlohmann::json& info = nlohmann::json::object());

// Empty when `dir` has a manifest, every listed file exists with its size and CRC and every file below
// `dir` is listed; otherwise the reason it is not valid (missing manifest, file missing or unlisted, size
// or checksum mismatch).
std::optional<std::string> verify_manifest(const std::filesystem::path& dir);

// Throws CorruptFile "<what> '<dir>' fails its integrity check: <reason>" unless verify_manifest passes.
void require_manifest(const std::filesystem::path& dir, const std::string& what);

}  // namespace retrain
