// The names inside a run directory, in one place: its config and metadata files, the committed
// directory of each generation and a generation's work in progress (staging, sample shards, training
// snapshots). Every room that reads or writes a run names its parts through these.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace retrain::run_layout {

inline constexpr const char* kConfigFile = "config.yaml";  // the resolved config
inline constexpr const char* kRunFile = "run.json";        // run metadata (config hash, versions)
inline constexpr const char* kMetricsFile = "metrics.jsonl";  // a row of metrics per evaluated generation
inline constexpr const char* kTrainStatsFile = "train_stats.jsonl";  // per-step training statistics
inline constexpr const char* kForkFile = "fork.json";      // a forked run's parent and fork generation
// A diffusion checkpoint's (a generation's) network description: arch, sample shape, classes.
inline constexpr const char* kNetworkFile = "network.json";
// Fixed-seed views of an image run: in each evaluated generation's directory the strip seeds' samples
// (one column) and their nearest real images; the strip figure of all generations under plots/.
inline constexpr const char* kSeedSamplesFile = "seed_samples.png";
inline constexpr const char* kNeighboursImage = "neighbours.png";
inline constexpr const char* kNeighboursFile = "neighbours.json";
inline constexpr const char* kSeedStripFile = "plots/seed_strip.png";

// "gen_0003": the committed directory of generation 3, relative to the run (or to an eval directory).
std::string generation_name(std::int64_t generation);
std::filesystem::path generation_dir(const std::filesystem::path& run, std::int64_t generation);
// The generation number of a committed directory name ("gen_0003" -> 3); nullopt for anything else
// (staging "gen_0003.tmp", set-aside "gen_0003.invalid-1", shards, snapshots, other files).
std::optional<std::int64_t> parse_generation_name(const std::string& name);

// gen_NNNN.tmp: a generation being written; renamed to gen_NNNN when complete.
std::filesystem::path staging_dir(const std::filesystem::path& run, std::int64_t generation);
bool is_staging_name(const std::string& name);
// gen_NNNN.invalid-K: a generation that failed its manifest check, kept for inspection.
std::filesystem::path set_aside_dir(const std::filesystem::path& run, std::int64_t generation, int k);
// gen_NNNN.samples: the synthetic sample shards drawn for generation NNNN before it is trained.
std::filesystem::path samples_dir(const std::filesystem::path& run, std::int64_t generation);
// gen_NNNN.training: resumable snapshots of generation NNNN's training.
std::filesystem::path training_dir(const std::filesystem::path& run, std::int64_t generation);

// True when `dir` holds a run (config.yaml and run.json).
bool is_run(const std::filesystem::path& dir);

}  // namespace retrain::run_layout
