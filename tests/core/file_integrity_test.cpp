// Readers refuse damaged files with an error naming the file, before allocating anything: every byte
// flip and truncation of a safetensors file, impossible shapes, unlisted files in a manifest, .npy
// shapes that are negative or too large, a tensor of the wrong dtype.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/nn.h>

#include <cstring>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/models/state_dict.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// A safetensors file from a header written by hand (no retrain checksum) and `data` bytes.
void write_raw_safetensors(const fs::path& file, const nlohmann::json& header, const std::string& data) {
  const std::string head = header.dump();
  std::string out(8, '\0');
  const std::uint64_t n = head.size();
  std::memcpy(out.data(), &n, 8);
  write_file_atomic(file, out + head + data);
}

std::string load_error(const fs::path& file, Checksum checksum = Checksum::if_present) {
  return test::message_of<std::runtime_error>([&] { load_safetensors(file, checksum); });
}

TEST(SafetensorsIntegrity, EveryByteFlipAndEveryTruncationIsRefused) {
  test::ScratchDir dir;
  const auto good = dir / "good.safetensors", bad = dir / "bad.safetensors";
  save_safetensors(good, {{"w", torch::arange(6, torch::kFloat32).reshape({2, 3})}, {"n", torch::arange(2)}},
                   {{"note", "x"}});
  const std::string bytes = read_file(good);
  ASSERT_NO_THROW(load_safetensors(good));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    write_file_atomic(bad, flipped);
    const auto error = load_error(bad, Checksum::required);
    EXPECT_TRUE(test::contains(error, "bad.safetensors")) << "byte " << i << " flipped was accepted: '" << error << "'";
  }
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    write_file_atomic(bad, bytes.substr(0, size));
    EXPECT_TRUE(test::contains(load_error(bad), "bad.safetensors")) << "truncated to " << size << " bytes was accepted";
  }
}

TEST(SafetensorsIntegrity, ImpossibleShapesAndOffsetsAreRefusedBeforeAllocating) {
  test::ScratchDir dir;
  const auto file = dir / "t.safetensors";
  const auto refused = [&](const nlohmann::json& entry, const std::string& data, const std::string& expect) {
    write_raw_safetensors(file, {{"w", entry}}, data);
    const auto error = load_error(file);
    EXPECT_TRUE(test::contains(error, "t.safetensors") && test::contains(error, expect))
        << entry.dump() << " -> '" << error << "'";
  };
  refused({{"dtype", "F32"}, {"shape", {1000000000000LL, 16}}, {"data_offsets", {0, 64}}}, std::string(64, '\0'), "need");
  refused({{"dtype", "F32"}, {"shape", {4611686018427387904LL, 4}}, {"data_offsets", {0, 64}}}, std::string(64, '\0'),
          "too large");
  refused({{"dtype", "F32"}, {"shape", {-4, 4}}, {"data_offsets", {0, 64}}}, std::string(64, '\0'), "non-negative");
  refused({{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {0, 1000}}}, std::string(16, '\0'), "outside");
  refused({{"dtype", "Q7"}, {"shape", {4}}, {"data_offsets", {0, 16}}}, std::string(16, '\0'), "unsupported dtype");
  refused({{"dtype", "F32"}, {"shape", "4"}, {"data_offsets", {0, 16}}}, std::string(16, '\0'), "shape");
  refused({{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {0, 16}}}, std::string(32, '\0'), "cover 16 of its 32");
  write_raw_safetensors(file,
                        {{"a", {{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {0, 16}}}},
                         {"b", {{"dtype", "F32"}, {"shape", {4}}, {"data_offsets", {8, 24}}}}},
                        std::string(24, '\0'));
  EXPECT_TRUE(test::contains(load_error(file), "overlapping")) << load_error(file);
}

TEST(SafetensorsIntegrity, AFileWithoutRetrainsChecksumLoadsUnlessOneIsRequired) {
  test::ScratchDir dir;
  const float values[2] = {1.5f, -2.0f};
  write_raw_safetensors(dir / "py.safetensors", {{"w", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {0, 8}}}}},
                        std::string(reinterpret_cast<const char*>(values), 8));
  const auto t = load_safetensors(dir / "py.safetensors").at("w");
  EXPECT_TRUE(torch::equal(t, torch::tensor({1.5f, -2.0f})));
  EXPECT_TRUE(test::contains(load_error(dir / "py.safetensors", Checksum::required), "no retrain.crc32 checksum"));
}

TEST(SafetensorsIntegrity, ATensorOfTheWrongDtypeIsRefusedByTheNetwork) {
  test::ScratchDir dir;
  torch::nn::Linear net(2, 2);
  TensorMap state = state_dict(*net);
  state["weight"] = state["weight"].to(torch::kInt32);  // what an F32 entry relabelled I32 would give
  const auto error = test::message_of<std::runtime_error>([&] { load_state_dict(*net, state, dir / "w.safetensors"); });
  EXPECT_TRUE(test::contains(error, "w.safetensors") && test::contains(error, "'weight' is Int")) << error;
}

TEST(ManifestIntegrity, UnlistedFilesAndAnEmptiedListAreRefused) {
  test::ScratchDir dir;
  test::write_text(dir / "a.bin", "hello");
  write_manifest(dir.path());
  EXPECT_EQ(verify_manifest(dir.path()), std::nullopt);
  test::write_text(dir / "sub/extra.bin", "added later");
  EXPECT_TRUE(test::contains(verify_manifest(dir.path()).value_or(""), "'sub/extra.bin' is not listed"));
  fs::remove_all(dir / "sub");
  auto manifest = nlohmann::json::parse(read_file(dir / kManifestName));
  manifest["files"] = nlohmann::json::object();
  write_file_atomic(dir / kManifestName, manifest.dump());
  EXPECT_TRUE(test::contains(verify_manifest(dir.path()).value_or(""), "'a.bin' is not listed"));
  const auto error = test::message_of<UsageError>([&] { require_manifest(dir.path(), "checkpoint"); });
  EXPECT_TRUE(test::contains(error, "checkpoint '" + dir.path().string() + "' fails its integrity check")) << error;
}

TEST(NpyIntegrity, NegativeMalformedAndHugeShapesAreRefused) {
  test::ScratchDir dir;
  const auto file = dir / "f.npy";
  save_npy(file, torch::zeros({64, 16}));
  const std::string good = read_file(file);
  // The header with its shape tuple replaced (the padding absorbs the length difference).
  const auto with_shape = [&](const std::string& shape) {
    std::string bytes = good;
    const auto at = bytes.find("(64, 16)"), end = bytes.find('\n', at);
    std::string replacement = shape + ", }";
    replacement.resize(end - at, ' ');
    bytes.replace(at, end - at, replacement);
    write_file_atomic(file, bytes);
    return test::message_of<std::runtime_error>([&] { load_npy(file); });
  };
  ASSERT_EQ(with_shape("(64, 16)"), "");
  EXPECT_TRUE(test::contains(with_shape("(-64, 16)"), "expected non-negative integers"));
  EXPECT_TRUE(test::contains(with_shape("(64, x6)"), "expected non-negative integers"));
  EXPECT_TRUE(test::contains(with_shape("(1e12, 1)"), "expected non-negative integers"));
  EXPECT_TRUE(test::contains(with_shape("(64,, 16)"), "expected non-negative integers"));
  EXPECT_TRUE(test::contains(with_shape("(400000000000000000, 400)"), "too large to address"));
  const auto big = with_shape("(1000000000000, 16)");
  EXPECT_TRUE(test::contains(big, "f.npy") && test::contains(big, "needs")) << big;
  EXPECT_TRUE(test::contains(with_shape("(64, 17)"), "truncated"));
}

}  // namespace
}  // namespace retrain
