// fork_config: which keys a fork may change; fork_run: link or copy the shared generations, trim the
// tables to them, record the parent.
#include "retrain/loop/fork.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/loop/generation_table.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

bool may_change(const std::string& key) {
  return key.starts_with("loop.") || key.starts_with("eval.") || key == "name" || key == "out" || key == "device";
}

struct LinkCount {
  std::int64_t linked = 0, copied = 0;
};

// Recreates `from`'s tree under `to`: directories made, files hard-linked (copied where the file
// system refuses a link, e.g. across devices).
void link_tree(const fs::path& from, const fs::path& to, LinkCount& count) {
  fs::create_directories(to);
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    const auto target = to / fs::relative(entry.path(), from);
    if (entry.is_directory()) {
      fs::create_directories(target);
      continue;
    }
    std::error_code ec;
    fs::create_hard_link(entry.path(), target, ec);
    if (!ec) {
      ++count.linked;
    } else {
      fs::copy_file(entry.path(), target);
      ++count.copied;
    }
  }
}

// The parent's table `name` cut to generations <= at, when the parent has one.
void copy_table(const fs::path& parent, const fs::path& child, const std::string& name, std::int64_t at) {
  if (!fs::exists(parent / name)) return;
  write_file_atomic(child / name, read_file(parent / name));
  GenerationTable(child / name, RowFormat::JsonLines).truncate_after(at);
}

}  // namespace

Config fork_config(const Config& parent, std::int64_t at, const std::vector<Override>& overrides) {
  Config config = load_config_text(to_yaml(parent), "the parent's config", overrides);
  std::vector<std::string> refused;
  for (const auto& difference : config_differences(parent, config))
    if (!may_change(difference.substr(0, difference.find(':')))) refused.push_back(difference);
  if (!refused.empty())
    throw UsageError(fmt::format("fork: {} cannot change: generations 0..{} were made with the parent's values; a fork "
                                 "may change only loop.* and eval.* keys (and name, out, device)",
                                 fmt::join(refused, ", "), at));
  if (config.loop.generations <= at)
    throw UsageError(fmt::format("fork: loop.generations = {} leaves nothing to run after generation {}; "
                                 "--set loop.generations=N with N > {}", config.loop.generations, at, at));
  return config;
}

RunDir fork_run(const fs::path& parent, std::int64_t at, const Config& config) {
  const auto dir = fs::path(config.out) / config.name;
  if (fs::exists(dir))
    throw UsageError(fmt::format("fork: '{}' already exists; pick another --name (or --out)", dir.string()));
  if (at < 0) throw UsageError(fmt::format("fork: --at {} is not a generation (expected >= 0)", at));
  for (std::int64_t g = 0; g <= at; ++g) {
    const auto source = run_layout::generation_dir(parent, g);
    if (!fs::is_directory(source))
      throw UsageError(fmt::format("fork: the parent '{}' has no committed generation {} (--at {} needs generations "
                                   "0..{})", parent.string(), g, at, at));
    require_manifest(source, "fork: the parent's generation");
  }

  // Assembled under a temporary name, so an interrupted fork leaves no half-made run behind.
  const auto staging = fs::path(dir.string() + ".forking");
  LinkCount count;
  {
    const RunDir draft = RunDir::create(staging, config, /*overwrite=*/true);  // a leftover of a killed fork goes
    for (std::int64_t g = 0; g <= at; ++g)
      link_tree(run_layout::generation_dir(parent, g), run_layout::generation_dir(staging, g), count);
    for (const char* table : {run_layout::kMetricsFile, run_layout::kTrainStatsFile}) copy_table(parent, staging, table, at);
    // Feature and k-means caches name what made them (data, extractor, key) and are replaced, never
    // edited, so the fork may share them too.
    if (fs::is_directory(parent / "cache")) link_tree(parent / "cache", staging / "cache", count);
    const nlohmann::json fork = {{"parent", fs::weakly_canonical(parent).string()}, {"at", at}};
    write_file_atomic(staging / run_layout::kForkFile, fork.dump(2) + "\n");
  }
  rename_durable(staging, dir);
  spdlog::info("fork: generations 0..{} of {} in {} ({} files linked, {} copied)", at, parent.string(), dir.string(),
               count.linked, count.copied);
  return RunDir::open(dir);
}

}  // namespace retrain
