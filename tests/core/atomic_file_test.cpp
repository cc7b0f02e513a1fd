// Atomic writes, manifests and safetensors: complete files or clear errors, never torn data.
#include <gtest/gtest.h>

#include <fstream>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/core/safetensors.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

TEST(AtomicFile, ReplacesContentAndLeavesNoTemporaryFile) {
  test::ScratchDir dir;
  write_file_atomic(dir / "a.txt", "first");
  write_file_atomic(dir / "a.txt", "second");
  EXPECT_EQ(read_file(dir / "a.txt"), "second");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(AtomicFile, FailureNamesThePath) {
  try {
    write_file_atomic("/nonexistent_dir_for_retrain/x.txt", "data");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent_dir_for_retrain/x.txt"), std::string::npos) << e.what();
  }
}

TEST(Manifest, ValidDirectoryPasses) {
  test::ScratchDir dir;
  test::write_text(dir / "a.bin", "hello");
  test::write_text(dir / "sub/b.bin", "world");
  write_manifest(dir.path(), {{"generation", 3}});
  EXPECT_EQ(verify_manifest(dir.path()), std::nullopt);
}

TEST(Manifest, DetectsMissingManifestTruncationCorruptionAndMissingFiles) {
  test::ScratchDir dir;
  EXPECT_NE(verify_manifest(dir.path()), std::nullopt);
  test::write_text(dir / "a.bin", "hello world");
  test::write_text(dir / "b.bin", "bye");
  write_manifest(dir.path());
  fs::resize_file(dir / "a.bin", 5);
  EXPECT_NE(verify_manifest(dir.path())->find("'a.bin' has 5 bytes"), std::string::npos);
  test::write_text(dir / "a.bin", "hello_world");  // same size, different bytes
  EXPECT_NE(verify_manifest(dir.path())->find("CRC-32"), std::string::npos);
  test::write_text(dir / "a.bin", "hello world");
  fs::remove(dir / "b.bin");
  EXPECT_NE(verify_manifest(dir.path())->find("'b.bin' is missing"), std::string::npos);
}

TEST(Safetensors, RoundTripsDtypesShapesAndValues) {
  test::ScratchDir dir;
  TensorMap in = {{"f64", torch::randn({2, 3}, torch::kFloat64)},
                  {"f32", torch::randn({4})},
                  {"bf16", torch::randn({3, 1}).to(torch::kBFloat16)},
                  {"i64", torch::arange(5)},
                  {"u8", torch::randint(0, 255, {2, 2}).to(torch::kUInt8)},
                  {"empty", torch::zeros({0, 3})}};
  save_safetensors(dir / "t.safetensors", in, {{"format", "pt"}});
  auto out = load_safetensors(dir / "t.safetensors");
  ASSERT_EQ(out.size(), in.size());
  for (const auto& [name, t] : in) {
    EXPECT_EQ(out[name].scalar_type(), t.scalar_type()) << name;
    EXPECT_TRUE(torch::equal(out[name], t)) << name;
  }
}

TEST(Safetensors, HeaderFollowsTheFormat) {
  test::ScratchDir dir;
  save_safetensors(dir / "t.safetensors", {{"w", torch::ones({2, 2})}});
  const std::string bytes = read_file(dir / "t.safetensors");
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["w"]["dtype"], "F32");
  EXPECT_EQ(header["w"]["shape"], nlohmann::json({2, 2}));
  EXPECT_EQ(header["w"]["data_offsets"], nlohmann::json({0, 16}));
  EXPECT_EQ(bytes.size(), 8 + n + 16);
}

TEST(Safetensors, TruncatedFileIsAnErrorNamingTheFile) {
  test::ScratchDir dir;
  save_safetensors(dir / "t.safetensors", {{"w", torch::ones({64})}});
  fs::resize_file(dir / "t.safetensors", fs::file_size(dir / "t.safetensors") - 10);
  try {
    load_safetensors(dir / "t.safetensors");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("t.safetensors"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace retrain
