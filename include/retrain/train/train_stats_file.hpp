// RUN/train_stats.jsonl: one JSON object per line, a StepStatsRow with its "generation", appended (and
// fsync'ed) while a generation trains. Before a fit starts or continues from a snapshot, the rows it
// is about to write again are cut, so after a kill at any moment and a resume no row is lost or doubled.
#pragma once
#include <cstdint>
#include <filesystem>

#include "retrain/train/step_stats.hpp"

namespace retrain {

class TrainStatsFile {
 public:
  explicit TrainStatsFile(std::filesystem::path path);
  // Keeps the rows of generations before `generation` and those of `generation` up to optimizer step
  // `step` (where its fit continues); drops every other row and a torn last line. No file: nothing.
  void keep_until(std::int64_t generation, std::int64_t step) const;
  void append(std::int64_t generation, const StepStatsRow& row) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace retrain
