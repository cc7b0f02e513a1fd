// Shard files: naming, atomic writes through save_safetensors, ordered reads.
#include "retrain/loop/sample_shards.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <regex>

#include "retrain/core/errors.hpp"
#include "retrain/core/progress.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/core/signals.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

fs::path shard_file(const fs::path& dir, std::int64_t index) {
  return dir / fmt::format("shard_{:05d}.safetensors", index);
}

// A shard of work in progress must carry its own checksum (Checksum::required); one inside a committed
// generation is covered by the generation's manifest (so runs from before the checksum still load).
SampleSet read_shard(const fs::path& file, Checksum checksum) {
  const auto tensors = load_safetensors(file, checksum);
  auto labels = tensors.find("labels");
  return {require_tensor(tensors, "samples", file), labels == tensors.end() ? torch::Tensor() : labels->second};
}

void write_shard(const fs::path& file, const SampleSet& s) {
  TensorMap tensors{{"samples", s.x}};
  if (s.labels.defined()) tensors["labels"] = s.labels;
  save_safetensors(file, tensors);
}


}  // namespace

void make_shards(const fs::path& dir, std::int64_t total, std::int64_t shard_size, const ShardMaker& make,
                 const std::string& label, Stripe stripe) {
  TORCH_CHECK(total >= 0 && shard_size >= 1, "make_shards: total ", total, ", shard_size ", shard_size);
  TORCH_CHECK(stripe.count >= 1 && stripe.index >= 0 && stripe.index < stripe.count, "make_shards: stripe ",
              stripe.index, " of ", stripe.count);
  fs::create_directories(dir);
  const auto count = (total + shard_size - 1) / shard_size;
  std::int64_t mine = 0, reused = 0;
  for (std::int64_t s = 0; s < count; ++s)
    if (stripe.holds(s)) mine += std::min(shard_size, total - s * shard_size);
  Progress progress(label, mine, "samples", 10.0);
  std::int64_t done = 0, shards = 0;
  for (std::int64_t s = 0; s < count; ++s) {
    if (!stripe.holds(s)) continue;
    ++shards;
    const auto first = s * shard_size, n = std::min(shard_size, total - first);
    const auto file = shard_file(dir, s);
    bool usable = false;
    if (fs::exists(file)) {
      try {
        const auto shard = read_shard(file, Checksum::required);
        usable = shard.x.dim() >= 2 && shard.x.size(1) == n;
      } catch (const std::exception& e) {
        spdlog::warn("shard {} is unreadable ({}); sampling it again", file.string(), e.what());
      }
      if (usable) ++reused;
    }
    if (!usable) write_shard(file, make(s, first, n));
    progress.update(done += n);
    throw_if_stop_requested(label.c_str());
  }
  progress.finish(reused > 0 ? fmt::format("{} of {} shards reused from an interrupted run", reused, shards) : "");
}

SampleSet fill_shards(const fs::path& dir, std::int64_t total, std::int64_t shard_size, const ShardMaker& make,
                      const std::string& label) {
  make_shards(dir, total, shard_size, make, label);
  return read_shards(dir, Checksum::required);
}

SampleSet read_shards(const fs::path& dir, Checksum checksum) {
  static const std::regex name_re(R"(shard_(\d+)\.safetensors)");
  std::map<std::int64_t, fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::smatch m;
    const auto name = entry.path().filename().string();
    if (std::regex_match(name, m, name_re)) files[std::stoll(m[1])] = entry.path();
  }
  std::vector<SampleSet> parts;
  std::int64_t expected = 0;
  for (const auto& [index, file] : files) {
    if (index != expected++)
      throw CorruptFile(fmt::format("'{}': shard {} is missing", dir.string(), expected - 1));
    parts.push_back(read_shard(file, checksum));
  }
  return concat_samples(parts);
}

}  // namespace retrain
