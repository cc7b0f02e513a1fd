// RunDir: creation refuses to clobber, opening checks it is a run, commits are atomic, recovery.
#include <gtest/gtest.h>

#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/loop/run_dir.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

TEST(RunDir, CreateWritesResolvedConfigAndRefusesAnExistingDirectory) {
  test::ScratchDir scratch;
  Config c;
  c.name = "r";
  RunDir::create(scratch / "r", c, false);
  EXPECT_TRUE(run_layout::is_run(scratch / "r"));
  EXPECT_NE(test::read_text(scratch / "r/config.yaml").find(config_hash(c)), std::string::npos);
  try {
    RunDir::create(scratch / "r", c, false);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos);
  }
  test::write_text(scratch / "r/junk.txt", "x");
  RunDir::create(scratch / "r", c, true);
  EXPECT_FALSE(fs::exists(scratch / "r/junk.txt"));
}

TEST(RunDir, OpenRejectsDirectoriesThatAreNotRuns) {
  test::ScratchDir scratch;
  fs::create_directories(scratch / "plain");
  try {
    RunDir::open(scratch / "plain");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("is not a retrain run directory"), std::string::npos);
  }
}

TEST(RunDir, OpenRejectsAHandEditedConfig) {
  test::ScratchDir scratch;
  Config c;
  RunDir::create(scratch / "r", c, false);
  test::write_text(scratch / "r/config.yaml", test::read_text(scratch / "r/config.yaml") + "seed: 99\n");
  EXPECT_THROW(RunDir::open(scratch / "r"), UsageError);
}

// A build that adds a config key can still open runs written before it: the hash covers the text
// that was written, and the key missing from it takes its default.
TEST(RunDir, OpensARunWrittenWithoutAKeyAddedSince) {
  test::ScratchDir scratch;
  Config c;
  c.dist.timeout_s = 77;
  RunDir::create(scratch / "r", c, false);
  const auto text = test::read_text(scratch / "r/config.yaml");
  // Without the whole dist: section, as before dist.* existed.
  const auto at = text.find("\ndist:\n");
  ASSERT_NE(at, std::string::npos) << text;
  auto end = at + 7;
  while (text.compare(end, 2, "  ") == 0) end = text.find('\n', end) + 1;
  ASSERT_NE(text.substr(at, end - at).find("timeout_s: 77"), std::string::npos) << text;
  auto older = text;
  older.erase(at + 1, end - at - 1);
  const auto body = older.substr(older.find('\n') + 1);
  test::write_text(scratch / "r/config.yaml", older);
  test::write_text(scratch / "r/run.json", "{\"config_hash\": \"" + hex32(crc32_bytes(body)) + "\"}\n");
  const RunDir run = RunDir::open(scratch / "r");
  EXPECT_EQ(run.config().dist.timeout_s, DistOptions{}.timeout_s);
  EXPECT_EQ(run.config().seed, c.seed);
}

TEST(RunDir, CommittedGenerationsHaveManifestsAndRecoveryStopsAtTheFirstBadOne) {
  test::ScratchDir scratch;
  Config c;
  RunDir run = RunDir::create(scratch / "r", c, false);
  EXPECT_EQ(run.recover(), std::nullopt);
  for (int g = 0; g < 4; ++g) {
    test::write_text(run.begin_generation(g) / "state.json", "{}");
    run.commit_generation(g);
    EXPECT_EQ(verify_manifest(run.generation_dir(g)), std::nullopt);
  }
  EXPECT_EQ(run.committed_generations(), (std::vector<std::int64_t>{0, 1, 2, 3}));
  test::write_text(run.generation_dir(2) / "state.json", "{\"x\":1}");  // corrupt generation 2
  fs::create_directories(scratch / "r/gen_0004.tmp");
  // The read-only view stops at the first bad generation and moves nothing.
  EXPECT_EQ(run.committed_generations(), (std::vector<std::int64_t>{0, 1}));
  EXPECT_TRUE(fs::exists(run.generation_dir(3)));
  EXPECT_TRUE(fs::exists(scratch / "r/gen_0004.tmp"));
  EXPECT_EQ(run.recover(), 1);
  EXPECT_FALSE(fs::exists(scratch / "r/gen_0004.tmp"));
  EXPECT_TRUE(fs::exists(scratch / "r/gen_0002.invalid-1"));
  EXPECT_TRUE(fs::exists(scratch / "r/gen_0003.invalid-1"));
  EXPECT_FALSE(fs::exists(run.generation_dir(2)));
}

}  // namespace
}  // namespace retrain
