// A generation's synthetic samples as shard files (shard_00000.safetensors, ...: tensor "samples" and
// optional "labels", each [replicas, count, ...]). Every shard is written atomically, so sampling that
// is cut off resumes at the first missing shard, and any shard can be redone on its own.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "retrain/core/safetensors.hpp"
#include "retrain/data/real_data.hpp"

namespace retrain {

// Makes shard `index`, holding samples [first, first + count).
using ShardMaker = std::function<SampleSet(std::int64_t index, std::int64_t first, std::int64_t count)>;

// The shards one process of several makes: those whose index % count == index.
struct Stripe {
  int index = 0, count = 1;
  bool holds(std::int64_t shard) const { return shard % count == index; }
};

// Ensures `dir` holds this stripe's shards of ceil(total / shard_size) (writing the missing or
// unreadable ones with `make`, reporting progress under `label`).
void make_shards(const std::filesystem::path& dir, std::int64_t total, std::int64_t shard_size, const ShardMaker& make,
                 const std::string& label, Stripe stripe = {});
// make_shards for the whole set, then all samples concatenated in order.
SampleSet fill_shards(const std::filesystem::path& dir, std::int64_t total, std::int64_t shard_size,
                      const ShardMaker& make, const std::string& label);

// Reads every shard of `dir` in order; errors name the file. Work in progress (make_shards' output)
// must carry each shard's checksum (Checksum::required); a committed generation's shards are vouched
// for by its manifest.
SampleSet read_shards(const std::filesystem::path& dir, Checksum checksum = Checksum::if_present);

}  // namespace retrain
