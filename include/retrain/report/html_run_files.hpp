// What a run directory holds for its report page, read once: config, metadata, the per-generation and
// per-step tables, the fork origin, the same-seed strip and the nearest-neighbour views. Each optional
// part is empty when its file is absent (an older run, a Gaussian run); a file that is present but
// malformed is a UsageError naming it and what was expected.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "retrain/loop/config.hpp"

namespace retrain {

// The page of a run or sweep directory, unless another path is asked for.
inline constexpr const char* kReportFile = "report.html";

struct Neighbour {
  std::int64_t index = 0;  // into the real training set
  double distance = 0;
};
struct SeedNeighbours {
  std::int64_t seed = 0;
  std::vector<Neighbour> neighbours;  // nearest first
};
struct GenerationNeighbours {
  std::int64_t generation = 0;
  std::filesystem::path image;  // gen_NNNN/neighbours.png
  std::string space;            // "features" or "pixels"
  std::vector<SeedNeighbours> rows;
};

struct ForkOrigin {
  std::filesystem::path parent;  // the parent run directory
  std::int64_t at = 0;           // generations 0..at are the parent's
};

struct RunFiles {
  std::string label;  // the run's name on the page (a sweep's grid-point label)
  std::filesystem::path dir;
  Config config;
  std::string config_text;                  // config.yaml as written
  nlohmann::json run_info;                  // run.json
  std::vector<nlohmann::json> metrics;      // metrics.jsonl, one row per evaluated generation
  std::vector<nlohmann::json> train_stats;  // train_stats.jsonl, one row per logged training step
  std::optional<ForkOrigin> fork;
  std::optional<std::filesystem::path> seed_strip;
  std::vector<GenerationNeighbours> neighbours;  // generations that have both files, in order
};

// Reads run directory `dir` (UsageError when it is not one).
RunFiles read_run_files(const std::filesystem::path& dir, const std::string& label);

// The JSON objects of a .jsonl file, one per complete line; an unterminated last line (a row being
// appended) is left out. UsageError naming file and line for a line that is not a JSON object.
std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& path);

}  // namespace retrain
