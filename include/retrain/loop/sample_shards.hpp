// A generation's synthetic samples as shard files (shard_00000.safetensors, ...: tensor "samples" and
// optional "labels", each [replicas, count, ...]). Every shard is written atomically, so sampling that
// is cut off resumes at the first missing shard, and any shard can be redone on its own.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "retrain/data/real_data.hpp"

namespace retrain {

// Makes shard `index`, holding samples [first, first + count).
using ShardMaker = std::function<SampleSet(std::int64_t index, std::int64_t first, std::int64_t count)>;

// Ensures `dir` holds ceil(total / shard_size) shards (writing the missing or unreadable ones with
// `make`, reporting progress under `label`) and returns all samples concatenated in order.
SampleSet fill_shards(const std::filesystem::path& dir, std::int64_t total, std::int64_t shard_size,
                      const ShardMaker& make, const std::string& label);

// Reads every shard of `dir` in order (a directory fill_shards completed, inside a committed generation
// whose manifest vouches for it); errors name the file.
SampleSet read_shards(const std::filesystem::path& dir);

}  // namespace retrain
