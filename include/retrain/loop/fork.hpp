// `retrain fork`: a new run whose generations 0..G are those of a parent run (hard links where the
// file system allows, copies otherwise), continuing with changed loop.* / eval.* keys. NEW/fork.json
// records {"parent": absolute path of the parent, "at": G}.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include "retrain/loop/config.hpp"
#include "retrain/loop/run_dir.hpp"

namespace retrain {

// The fork's config: the parent's with `overrides` applied (name and out included). UsageError, with
// the keys and their values, when a key other than loop.*, eval.*, name, out or device changes (those
// would make generations 0..at, trained with the parent's values, belong to another experiment), or
// when loop.generations leaves no generation after `at` to train.
Config fork_config(const Config& parent, std::int64_t at, const std::vector<Override>& overrides);

// Makes the run directory out/name of `config` (from fork_config): config.yaml and run.json, the
// parent's committed generations 0..at (each checked against its manifest first), the parent's
// metrics.jsonl and train_stats.jsonl rows of those generations, its cache/ (linked like the
// generations), and fork.json. The directory appears
// complete or not at all (it is assembled under a temporary name, then renamed). UsageError when it
// exists already or a parent generation is missing or fails its check. Returns it opened (locked),
// ready for run_experiment to continue from generation `at`.
RunDir fork_run(const std::filesystem::path& parent, std::int64_t at, const Config& config);

}  // namespace retrain
