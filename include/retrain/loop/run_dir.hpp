// The run directory: resolved config, run metadata, one committed directory per generation
// (written to gen_NNNN.tmp, manifest last, then renamed), and recovery after a crash. A RunDir (and
// its copies) holds the directory's lock: a second process on the same run is refused.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "retrain/loop/config.hpp"
#include "retrain/core/dir_lock.hpp"
#include "retrain/core/run_layout.hpp"

namespace retrain {

class RunDir {
 public:
  // Makes <dir> and writes config.yaml + run.json. UsageError when <dir> exists (unless `overwrite`,
  // which deletes it first), its parent cannot be written, or another process holds it.
  static RunDir create(const std::filesystem::path& dir, const Config& config, bool overwrite);
  // Opens an existing run to work in it; UsageError when <dir> is not a run directory, its config is
  // invalid, or another process holds it. `generations`, when given, replaces loop.generations (to
  // extend a finished run).
  static RunDir open(const std::filesystem::path& dir, std::optional<std::int64_t> generations = std::nullopt);
  // Opens an existing run only to read its committed generations (`retrain eval`, the ranks after the
  // first of a run on several processes), without its lock: a run may be read while another process
  // trains it. Must not be used to write into the run. `generations` as in open(), in memory only.
  static RunDir open_for_reading(const std::filesystem::path& dir,
                                 std::optional<std::int64_t> generations = std::nullopt);

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
  // The validated config of run directory `dir` (config.yaml matching run.json's hash).
  static Config read_config(const std::filesystem::path& dir);
  RunDir(std::filesystem::path path, Config config, std::shared_ptr<DirLock> lock)
      : path_(std::move(path)), config_(std::move(config)), lock_(std::move(lock)) {}
  std::filesystem::path path_;
  Config config_;
  std::shared_ptr<DirLock> lock_;
};

}  // namespace retrain
