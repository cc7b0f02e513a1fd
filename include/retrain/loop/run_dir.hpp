// The run directory: resolved config, run metadata, one committed directory per generation
// (written to gen_NNNN.tmp, manifest last, then renamed), and recovery after a crash.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "retrain/core/config.hpp"

namespace retrain {

class RunDir {
 public:
  // Makes <dir> and writes config.yaml + run.json. UsageError when <dir> exists (unless `overwrite`,
  // which deletes it first) or its parent cannot be written.
  static RunDir create(const std::filesystem::path& dir, const Config& config, bool overwrite);
  // Opens an existing run; UsageError when <dir> is not a run directory or its config is invalid.
  // `generations`, when given, replaces loop.generations (to extend a finished run).
  static RunDir open(const std::filesystem::path& dir, std::optional<std::int64_t> generations = std::nullopt);
  // True when <dir> holds a run (config.yaml and run.json).
  static bool is_run(const std::filesystem::path& dir);

  const std::filesystem::path& path() const { return path_; }
  const Config& config() const { return config_; }
  std::filesystem::path generation_dir(std::int64_t generation) const;
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

  // Finds the newest generation g such that gen_0000..gen_g all pass their manifest check. Removes
  // staging directories (*.tmp); renames invalid or later generation directories to
  // gen_NNNN.invalid-K (kept, never deleted) with a warning. nullopt when nothing is complete.
  std::optional<std::int64_t> recover();
  // Read-only counterpart of recover(): the generations 0, 1, ... whose directories pass their manifest
  // check, up to the first missing or invalid one (empty when gen_0000 is not committed). Changes nothing.
  std::vector<std::int64_t> committed_generations() const;

  // Starts gen_NNNN.tmp (emptied if left over) and returns it; commit() writes its manifest and renames it.
  std::filesystem::path begin_generation(std::int64_t generation);
  void commit_generation(std::int64_t generation);

 private:
  RunDir(std::filesystem::path path, Config config) : path_(std::move(path)), config_(std::move(config)) {}
  std::filesystem::path path_;
  Config config_;
};

}  // namespace retrain
