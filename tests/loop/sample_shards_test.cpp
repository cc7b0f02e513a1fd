// Sample shards: sizes, resuming at the first missing shard, redoing an unreadable one, ordered reads,
// stripes of several processes.
#include <gtest/gtest.h>

#include "retrain/core/atomic_file.hpp"
#include "retrain/loop/sample_shards.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

// Shard `index` holds the sample numbers first..first+count-1 (and labels 10x them); counts calls.
struct CountingMaker {
  int calls = 0;
  SampleSet operator()(std::int64_t, std::int64_t first, std::int64_t count) {
    ++calls;
    auto x = torch::arange(first, first + count, torch::kFloat64).reshape({1, count, 1});
    return {x, (x.squeeze(-1) * 10).to(torch::kLong)};
  }
};

TEST(SampleShards, SplitsIntoShardsAndReadsBackInOrder) {
  test::ScratchDir dir;
  CountingMaker maker;
  auto all = fill_shards(dir / "s", 10, 4, std::ref(maker), "test");
  EXPECT_EQ(maker.calls, 3);
  EXPECT_TRUE(torch::equal(all.x.flatten(), torch::arange(10, torch::kFloat64)));
  auto back = read_shards(dir / "s");
  EXPECT_TRUE(torch::equal(back.x, all.x));
  EXPECT_TRUE(torch::equal(back.labels, all.labels));
}

TEST(SampleShards, StripesMakeTheirOwnShardsAndTogetherTheWholeSet) {
  test::ScratchDir dir;
  CountingMaker whole;
  const auto reference = fill_shards(dir / "whole", 10, 3, std::ref(whole), "test");  // 4 shards
  std::vector<int> calls;
  for (int r = 0; r < 3; ++r) {
    CountingMaker maker;
    make_shards(dir / "striped", 10, 3, std::ref(maker), "test", Stripe{r, 3});
    calls.push_back(maker.calls);
  }
  EXPECT_EQ(calls, (std::vector<int>{2, 1, 1}));  // shards 0 and 3, 1, 2
  const auto striped = read_shards(dir / "striped", Checksum::required);
  EXPECT_TRUE(torch::equal(striped.x, reference.x));
  EXPECT_TRUE(torch::equal(striped.labels, reference.labels));
}

TEST(SampleShards, ResumeMakesOnlyMissingOrUnreadableShards) {
  test::ScratchDir dir;
  CountingMaker first;
  fill_shards(dir / "s", 10, 4, std::ref(first), "test");
  std::filesystem::remove(dir / "s/shard_00002.safetensors");           // never written
  write_file_atomic(dir / "s/shard_00001.safetensors", "not a shard");   // damaged
  CountingMaker second;
  auto all = fill_shards(dir / "s", 10, 4, std::ref(second), "test");
  EXPECT_EQ(second.calls, 2);
  EXPECT_TRUE(torch::equal(all.x.flatten(), torch::arange(10, torch::kFloat64)));
}

TEST(SampleShards, AShardWithAFlippedByteIsRedrawnNotUsed) {
  test::ScratchDir dir;
  CountingMaker first;
  fill_shards(dir / "s", 10, 4, std::ref(first), "test");
  const auto file = dir / "s/shard_00001.safetensors";
  for (const std::size_t at : {std::size_t{12}, read_file(file).size() - 3}) {  // in the header, in the data
    std::string bytes = read_file(file);
    bytes[at] = static_cast<char>(bytes[at] ^ 0x04);
    write_file_atomic(file, bytes);
    CountingMaker second;
    auto all = fill_shards(dir / "s", 10, 4, std::ref(second), "test");
    EXPECT_EQ(second.calls, 1) << "byte " << at;
    EXPECT_TRUE(torch::equal(all.x.flatten(), torch::arange(10, torch::kFloat64))) << "byte " << at;
  }
}

TEST(SampleShards, ReadingAGapFailsWithTheDirectory) {
  test::ScratchDir dir;
  CountingMaker maker;
  fill_shards(dir / "s", 10, 4, std::ref(maker), "test");
  std::filesystem::remove(dir / "s/shard_00001.safetensors");
  try {
    read_shards(dir / "s");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("shard 1 is missing"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace retrain
