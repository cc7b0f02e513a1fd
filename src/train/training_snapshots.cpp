// TrainingSnapshots: step_* directories, .tmp while being written.
#include "retrain/train/training_snapshots.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <regex>
#include <vector>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/manifest.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

const std::regex kComplete(R"(step_(\d{10}))");

// Complete snapshots, oldest first (the zero-padded names sort by step).
std::vector<fs::path> complete_snapshots(const fs::path& dir) {
  std::vector<fs::path> found;
  if (!fs::is_directory(dir)) return found;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && std::regex_match(entry.path().filename().string(), kComplete)) found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

std::optional<fs::path> TrainingSnapshots::latest() const {
  if (!fs::is_directory(dir_)) return std::nullopt;
  for (const auto& entry : fs::directory_iterator(dir_))
    if (entry.path().extension() == ".tmp") fs::remove_all(entry.path());
  auto found = complete_snapshots(dir_);
  if (found.empty()) return std::nullopt;
  if (const auto problem = verify_manifest(found.back())) {
    spdlog::warn("training snapshot {} is damaged ({}); removing it and training this generation from its start",
                 found.back().string(), *problem);
    fs::remove_all(found.back());
    return std::nullopt;
  }
  return found.back();
}

void TrainingSnapshots::write(std::int64_t step, const std::function<void(const fs::path&)>& fill) const {
  const auto name = fmt::format("step_{:010d}", step);
  const auto final_dir = dir_ / name, tmp = dir_ / (name + ".tmp");
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  fill(tmp);
  write_manifest(tmp, {{"step", step}});
  fs::remove_all(final_dir);
  rename_durable(tmp, final_dir);
  for (const auto& old : complete_snapshots(dir_))
    if (old != final_dir) fs::remove_all(old);
}

}  // namespace retrain
