// Append-only per-generation files of the run directory (metrics.jsonl, a learner's CSV report):
// rows are appended (and fsync'ed) after a generation commits; on resume, rows of generations past the
// resume point and a torn last line are dropped, so the file always matches the committed generations.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace retrain {

enum class RowFormat { JsonLines, Csv };

class GenerationTable {
 public:
  // Csv files carry `header` as their first line; JsonLines files have none.
  GenerationTable(std::filesystem::path path, RowFormat format, std::string header = "");
  // Appends complete lines (each ending in '\n'); creates the file (with header) when missing.
  void append(const std::string& rows) const;
  // Keeps the header and the rows of generations <= `generation` (none when `generation` < 0).
  // Returns the newest generation left in the file (-1 when none), so a caller can re-append rows of
  // generations that were committed but not yet written when the process died.
  std::int64_t truncate_after(std::int64_t generation) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  RowFormat format_;
  std::string header_;
};

}  // namespace retrain
