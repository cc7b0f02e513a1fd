// Run directory creation, opening, generation staging/commit and crash recovery.
#include "retrain/loop/run_dir.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/build_info.hpp"
#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/core/run_layout.hpp"

namespace retrain {

namespace fs = std::filesystem;

namespace {

using run_layout::kConfigFile;
using run_layout::kRunFile;

std::string now_iso() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

void write_config(const fs::path& dir, const Config& config) {
  const std::string hash = config_hash(config);
  write_file_atomic(dir / kConfigFile,
                    fmt::format("# retrain resolved config (file + overrides + defaults), hash {}\n{}", hash,
                                to_yaml(config)));
  nlohmann::json run = {{"config_hash", hash},
                        {"retrain_version", build_info().version},
                        {"git_commit", build_info().git_commit},
                        {"torch_version", build_info().torch_version},
                        {"updated", now_iso()}};
  write_file_atomic(dir / kRunFile, run.dump(2) + "\n");
}

// gen_NNNN directories by generation number (staging *.tmp and set-aside *.invalid-K excluded).
std::map<std::int64_t, fs::path> generation_dirs(const fs::path& run) {
  std::map<std::int64_t, fs::path> found;
  for (const auto& entry : fs::directory_iterator(run))
    if (const auto g = run_layout::parse_generation_name(entry.path().filename().string()); g && entry.is_directory())
      found[*g] = entry.path();
  return found;
}

}  // namespace

RunDir RunDir::create(const fs::path& dir, const Config& config, bool overwrite) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!overwrite)
      throw UsageError(fmt::format("run directory '{}' already exists; use `retrain resume {}` to continue it, "
                                   "--overwrite to replace it, or --name to pick another",
                                   dir.string(), dir.string()));
    const DirLock old(dir, "run directory");  // never delete a run another process is working in
    fs::remove_all(dir, ec);
    if (ec) throw UsageError(fmt::format("--overwrite: cannot remove '{}': {}", dir.string(), ec.message()));
  }
  fs::create_directories(dir, ec);
  if (ec || ::access(dir.c_str(), W_OK) != 0)
    throw UsageError(fmt::format("cannot create a writable run directory '{}' (out = '{}'): {}", dir.string(),
                                 dir.parent_path().string(), ec ? ec.message() : "permission denied"));
  auto lock = std::make_shared<DirLock>(dir, "run directory");
  write_config(dir, config);
  return RunDir(dir, config, std::move(lock));
}

namespace {

void require_run_directory(const fs::path& dir) {
  if (!run_layout::is_run(dir))
    throw UsageError(fmt::format("'{}' is not a retrain run directory (it needs {} and {}; `retrain run` creates them)",
                                 dir.string(), kConfigFile, kRunFile));
}

}  // namespace

// The hash in run.json is that of config.yaml's text below its header line, checked before the text
// is read: a config written by an older build, without the keys added since, still verifies and its
// missing keys take their defaults (which is why a new key's default must keep the old behaviour).
Config RunDir::read_config(const fs::path& dir) {
  require_run_directory(dir);
  const auto text = read_file(dir / kConfigFile);
  const auto body = text.starts_with('#') && text.find('\n') != std::string::npos ? text.substr(text.find('\n') + 1) : text;
  const auto run = nlohmann::json::parse(read_file(dir / kRunFile), nullptr, /*allow_exceptions=*/false);
  if (!run.is_object() || run.value("config_hash", "") != hex32(crc32_bytes(body)))
    throw UsageError(fmt::format("'{}' does not match the hash in '{}' (edited by hand?); restore it or start a new run",
                                 (dir / kConfigFile).string(), (dir / kRunFile).string()));
  return load_config_file(dir / kConfigFile);
}

RunDir RunDir::open(const fs::path& dir, std::optional<std::int64_t> generations) {
  require_run_directory(dir);  // before a lock file is made in it
  auto lock = std::make_shared<DirLock>(dir, "run directory");
  Config config = read_config(dir);
  if (generations && *generations != config.loop.generations) {
    if (*generations < 1) throw UsageError(fmt::format("loop.generations must be >= 1, got {}", *generations));
    spdlog::info("loop.generations: {} -> {}", config.loop.generations, *generations);
    config.loop.generations = *generations;
    write_config(dir, config);
  }
  return RunDir(dir, config, std::move(lock));
}

RunDir RunDir::open_for_reading(const fs::path& dir, std::optional<std::int64_t> generations) {
  Config config = read_config(dir);
  if (generations) config.loop.generations = *generations;
  return RunDir(dir, config, nullptr);
}

fs::path RunDir::generation_dir(std::int64_t generation) const {
  return run_layout::generation_dir(path_, generation);
}

fs::path RunDir::begin_generation(std::int64_t generation) {
  const fs::path staging = run_layout::staging_dir(path_, generation);
  fs::remove_all(staging);
  fs::create_directories(staging);
  return staging;
}

void RunDir::commit_generation(std::int64_t generation) {
  const fs::path staging = run_layout::staging_dir(path_, generation);
  write_manifest(staging, {{"generation", generation}, {"config_hash", config_hash(config_)}});
  rename_durable(staging, generation_dir(generation));
}

std::optional<std::int64_t> RunDir::recover() {
  for (const auto& entry : fs::directory_iterator(path_)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && run_layout::is_staging_name(name)) {
      spdlog::info("removing unfinished staging directory {}", name);
      fs::remove_all(entry.path());
    }
  }
  const auto found = generation_dirs(path_);
  std::optional<std::int64_t> latest;
  bool broken = false;
  for (const auto& [g, dir] : found) {
    std::optional<std::string> problem;
    if (broken) problem = "an earlier generation is missing or invalid";
    else if (latest ? g != *latest + 1 : g != 0) problem = fmt::format("generation {} is missing", latest ? *latest + 1 : 0);
    else problem = verify_manifest(dir);
    if (!problem) {
      latest = g;
      continue;
    }
    broken = true;
    fs::path aside;
    for (int k = 1;; ++k)
      if (!fs::exists(aside = run_layout::set_aside_dir(path_, g, k))) break;
    spdlog::warn("generation {} in {} is not usable ({}); moved to {} and redone", g, dir.string(), *problem,
                 aside.filename().string());
    fs::rename(dir, aside);
  }
  return latest;
}

std::vector<std::int64_t> RunDir::committed_generations() const {
  std::vector<std::int64_t> committed;
  for (const auto& [g, dir] : generation_dirs(path_)) {
    if (g != static_cast<std::int64_t>(committed.size()) || verify_manifest(dir)) break;
    committed.push_back(g);
  }
  return committed;
}

}  // namespace retrain
