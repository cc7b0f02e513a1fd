// TrainStatsFile: durable appends, and the cut back to the point a fit continues from.
#include "retrain/train/train_stats_file.hpp"

#include <nlohmann/json.hpp>

#include "retrain/core/atomic_file.hpp"

namespace retrain {

TrainStatsFile::TrainStatsFile(std::filesystem::path path) : path_(std::move(path)) {}

void TrainStatsFile::keep_until(std::int64_t generation, std::int64_t step) const {
  if (!std::filesystem::exists(path_)) return;
  const std::string text = read_file(path_);
  std::string kept;
  for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    const auto line = text.substr(start, end - start);
    const auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_object() || !row.contains("generation") || !row["generation"].is_number_integer() ||
        !row.contains("step") || !row["step"].is_number_integer())
      continue;
    const auto g = row["generation"].get<std::int64_t>(), s = row["step"].get<std::int64_t>();
    if (g < generation || (g == generation && s <= step)) kept += line + "\n";
  }
  if (kept.size() != text.size()) write_file_atomic(path_, kept);
}

void TrainStatsFile::append(std::int64_t generation, const StepStatsRow& row) const {
  auto j = to_json(row);
  j["generation"] = generation;
  append_file_durable(path_, j.dump() + "\n");
}

}  // namespace retrain
