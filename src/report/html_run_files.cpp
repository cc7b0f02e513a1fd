// Reading a run directory's report inputs, each checked for the shape the page relies on.
#include "retrain/report/html_run_files.hpp"

#include <fmt/format.h>

#include <map>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/loop/run_dir.hpp"

namespace retrain {

namespace fs = std::filesystem;

namespace {


nlohmann::json read_json_file(const fs::path& path, const std::string& expected) {
  const auto json = nlohmann::json::parse(read_file(path), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object())
    throw UsageError(fmt::format("'{}' is not a JSON object; expected {}", path.string(), expected));
  return json;
}

// Each row's `keys` must be numbers (the page plots them).
void require_numbers(const std::vector<nlohmann::json>& rows, const fs::path& path, std::initializer_list<const char*> keys) {
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (const char* key : keys)
      if (!rows[i].contains(key) || !rows[i][key].is_number())
        throw UsageError(fmt::format("'{}' row {}: \"{}\" is missing or not a number; expected a number in every row",
                                     path.string(), i + 1, key));
}

std::optional<ForkOrigin> read_fork(const fs::path& path) {
  if (!fs::exists(path)) return std::nullopt;
  const auto json = read_json_file(path, R"({"parent": "<run directory>", "at": <generation>})");
  if (!json.contains("parent") || !json["parent"].is_string() || !json.contains("at") ||
      !json["at"].is_number_integer())
    throw UsageError(fmt::format(R"('{}' needs "parent" (a string) and "at" (an integer))", path.string()));
  return ForkOrigin{json["parent"].get<std::string>(), json["at"].get<std::int64_t>()};
}

GenerationNeighbours read_neighbours(std::int64_t generation, const fs::path& dir) {
  const auto path = dir / run_layout::kNeighboursFile;
  const std::string expected =
      R"({"space": "features"|"pixels", "rows": [{"seed": S, "neighbours": [{"index": I, "distance": D}, ...]}, ...]})";
  const auto json = read_json_file(path, expected);
  if (!json.contains("rows") || !json["rows"].is_array() || !json.contains("space") || !json["space"].is_string())
    throw UsageError(fmt::format("'{}' has no \"space\" string or \"rows\" list; expected {}", path.string(), expected));
  GenerationNeighbours out{generation, dir / run_layout::kNeighboursImage, json["space"].get<std::string>(), {}};
  for (const auto& row : json["rows"]) {
    if (!row.is_object() || !row.contains("seed") || !row["seed"].is_number_integer() || !row.contains("neighbours") ||
        !row["neighbours"].is_array())
      throw UsageError(fmt::format("'{}': a row is not {{\"seed\": S, \"neighbours\": [...]}}: {}", path.string(), row.dump()));
    SeedNeighbours seed{row["seed"].get<std::int64_t>(), {}};
    for (const auto& n : row["neighbours"]) {
      if (!n.is_object() || !n.contains("index") || !n["index"].is_number_integer() || !n.contains("distance") ||
          !n["distance"].is_number())
        throw UsageError(fmt::format("'{}': a neighbour is not {{\"index\": I, \"distance\": D}}: {}", path.string(), n.dump()));
      seed.neighbours.push_back({n["index"].get<std::int64_t>(), n["distance"].get<double>()});
    }
    out.rows.push_back(std::move(seed));
  }
  return out;
}

}  // namespace

std::vector<nlohmann::json> read_json_lines(const fs::path& path) {
  const std::string text = read_file(path);
  std::vector<nlohmann::json> rows;
  std::size_t start = 0;
  for (std::size_t line = 1;; ++line) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) break;  // no line, or one still being appended
    const auto row = nlohmann::json::parse(text.substr(start, end - start), nullptr, /*allow_exceptions=*/false);
    if (end > start && (row.is_discarded() || !row.is_object()))
      throw UsageError(fmt::format("'{}' line {} is not a JSON object", path.string(), line));
    if (end > start) rows.push_back(row);
    start = end + 1;
  }
  return rows;
}

RunFiles read_run_files(const fs::path& dir, const std::string& label) {
  RunFiles run;
  run.label = label;
  run.dir = dir;
  run.config = RunDir::open_for_reading(dir).config();
  run.config_text = read_file(dir / run_layout::kConfigFile);
  run.run_info = read_json_file(dir / run_layout::kRunFile, "the run's metadata");
  if (fs::exists(dir / run_layout::kMetricsFile)) run.metrics = read_json_lines(dir / run_layout::kMetricsFile);
  require_numbers(run.metrics, dir / run_layout::kMetricsFile, {"generation"});
  if (fs::exists(dir / run_layout::kTrainStatsFile)) run.train_stats = read_json_lines(dir / run_layout::kTrainStatsFile);
  require_numbers(run.train_stats, dir / run_layout::kTrainStatsFile, {"generation", "step", "loss_mean"});
  run.fork = read_fork(dir / run_layout::kForkFile);
  if (fs::exists(dir / run_layout::kSeedStripFile)) run.seed_strip = dir / run_layout::kSeedStripFile;
  std::map<std::int64_t, fs::path> generations;
  for (const auto& entry : fs::directory_iterator(dir))
    if (const auto g = run_layout::parse_generation_name(entry.path().filename().string()); g && entry.is_directory())
      generations[*g] = entry.path();
  for (const auto& [g, gen_dir] : generations)
    if (fs::exists(gen_dir / run_layout::kNeighboursImage) && fs::exists(gen_dir / run_layout::kNeighboursFile))
      run.neighbours.push_back(read_neighbours(g, gen_dir));
  return run;
}

}  // namespace retrain
