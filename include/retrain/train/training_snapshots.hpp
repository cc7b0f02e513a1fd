// The snapshots of one long training run (e.g. RUN/gen_0003.training/): numbered directories
// step_NNNNNNNNNN/, each written under a temporary name and renamed when complete, so a crash never
// leaves a half-written snapshot that looks whole; each carries a MANIFEST.json (size and CRC-32 per
// file), so a damaged one is dropped instead of resumed from; only the newest complete one is kept.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

namespace retrain {

class TrainingSnapshots {
 public:
  explicit TrainingSnapshots(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // The newest complete snapshot, or nullopt; leftovers of interrupted writes are removed first, and a
  // snapshot that fails its manifest is removed with a warning (its generation restarts from the start).
  std::optional<std::filesystem::path> latest() const;
  // Creates snapshot `step`: `fill` writes its files into the directory it is given; then the
  // snapshot is renamed into place (durably) and older ones are removed.
  void write(std::int64_t step, const std::function<void(const std::filesystem::path&)>& fill) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace retrain
