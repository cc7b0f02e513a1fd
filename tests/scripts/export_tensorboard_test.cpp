// scripts/export_tensorboard.py read back by an independent reader written here: TFRecord framing with
// both masked CRC-32C checksums, the Event/Summary protocol buffers, and every scalar's tag, step and
// value against the run's metrics.jsonl and train_stats.jsonl.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// CRC-32C bit by bit (the script uses a table): the Castagnoli polynomial, reflected.
std::uint32_t crc32c(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

std::uint32_t masked(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u; }

template <class T>
T little_endian(std::string_view bytes, std::size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof v);  // x86 and ARM Linux are little-endian
  return v;
}

// The records of a TFRecord file; a framing or checksum error fails the test.
std::vector<std::string> records(const std::string& file) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < file.size()) {
    EXPECT_GE(file.size() - at, 16u) << "truncated record header at byte " << at;
    if (file.size() - at < 16) break;
    const auto length = little_endian<std::uint64_t>(file, at);
    EXPECT_EQ(little_endian<std::uint32_t>(file, at + 8), masked(crc32c(std::string_view(file).substr(at, 8))));
    EXPECT_GE(file.size() - at - 12, length + 4) << "truncated record at byte " << at;
    const std::string data = file.substr(at + 12, length);
    EXPECT_EQ(little_endian<std::uint32_t>(file, at + 12 + length), masked(crc32c(data)));
    out.push_back(data);
    at += 12 + length + 4;
  }
  return out;
}

// Protocol buffer fields of one message: number -> raw values in order (varints as their value).
struct Field {
  int number;
  int wire_type;
  std::uint64_t varint = 0;
  std::string bytes;  // length-delimited, fixed64 or fixed32 payload
};

std::uint64_t read_varint(std::string_view m, std::size_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto b = static_cast<unsigned char>(m.at(at++));
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
}

std::vector<Field> fields(std::string_view m) {
  std::vector<Field> out;
  std::size_t at = 0;
  while (at < m.size()) {
    const auto key = read_varint(m, at);
    Field f{static_cast<int>(key >> 3), static_cast<int>(key & 7)};
    if (f.wire_type == 0) f.varint = read_varint(m, at);
    else if (f.wire_type == 1) f.bytes = std::string(m.substr(at, 8)), at += 8;
    else if (f.wire_type == 5) f.bytes = std::string(m.substr(at, 4)), at += 4;
    else if (f.wire_type == 2) {
      const auto n = read_varint(m, at);
      f.bytes = std::string(m.substr(at, n));
      at += n;
    } else {
      ADD_FAILURE() << "unexpected wire type " << f.wire_type;
      break;
    }
    out.push_back(f);
  }
  return out;
}

// (tag, step) -> value of every scalar in the event file; the first event must be the file version.
std::map<std::pair<std::string, std::int64_t>, float> scalars(const fs::path& events) {
  const auto all = records(test::read_text(events));
  std::map<std::pair<std::string, std::int64_t>, float> out;
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::int64_t step = 0;
    for (const auto& f : fields(all[i])) {
      if (f.number == 1) EXPECT_EQ(f.wire_type, 1);  // wall_time, a double
      if (f.number == 2) step = static_cast<std::int64_t>(f.varint);
      if (f.number == 3) EXPECT_EQ(i == 0 ? f.bytes : "", "brain.Event:2");
      if (f.number != 5) continue;
      EXPECT_GT(i, 0u);
      for (const auto& value : fields(f.bytes)) {
        std::string tag;
        float v = NAN;
        for (const auto& part : fields(value.bytes)) {
          if (part.number == 1) tag = part.bytes;
          if (part.number == 2) v = little_endian<float>(part.bytes, 0);
        }
        out[{tag, step}] = v;
      }
    }
  }
  return out;
}

TEST(ExportTensorboard, TheReadersChecksumIsCrc32c) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
}

TEST(ExportTensorboard, WritesEveryScalarOfBothTables) {
  test::ScratchDir dir;
  const auto run = dir / "run";
  test::write_text(run / "config.yaml", "seed: 1\n");
  test::write_text(run / "run.json", "{}\n");
  test::write_text(run / "metrics.jsonl", "{\"generation\": 0, \"fid\": 12.5, \"wall_s\": 3.0, \"note\": \"x\"}\n"
                                          "{\"generation\": 1, \"fid\": 14.25, \"wall_s\": 2.5, \"precision\": null}\n");
  std::string stats;
  for (int g = 0; g <= 1; ++g)
    for (int step = 1; step <= 2; ++step)
      stats += fmt::format(R"({{"generation": {}, "step": {}, "images": {}, "loss_mean": {}, "grad_norm": 1.5, )"
                           R"("lr": 0.001, "images_per_s": 100}})"
                           "\n",
                           g, step, 8 * step, 1.0 - 0.25 * (2 * g + step));
  test::write_text(run / "train_stats.jsonl", stats + "{\"generation\": 1, \"st");  // a row being appended
  const auto r = test::run_program(test::kPython, {fmt::format("{}/scripts/export_tensorboard.py", test::kSourceDir),
                                                   run.string(), "--logdir", (dir / "tb").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "tb")) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].filename().string().starts_with("events.out.tfevents.")) << files[0];
  const auto s = scalars(files[0]);

  EXPECT_EQ(s.at({"metrics/fid", 0}), 12.5f);
  EXPECT_EQ(s.at({"metrics/fid", 1}), 14.25f);
  EXPECT_EQ(s.at({"metrics/wall_s", 1}), 2.5f);
  EXPECT_FALSE(s.contains({"metrics/precision", 1}));  // null: no value
  EXPECT_FALSE(s.contains({"metrics/note", 0}));       // not a number
  // Generation 1's fit continues the steps where generation 0's 16 images ended.
  for (int g = 0; g <= 1; ++g)
    for (int step = 1; step <= 2; ++step) {
      const std::int64_t images = 16 * g + 8 * step;
      EXPECT_EQ(s.at({"train/loss_mean", images}), static_cast<float>(1.0 - 0.25 * (2 * g + step))) << images;
      EXPECT_EQ(s.at({"train/generation", images}), static_cast<float>(g));
      EXPECT_EQ(s.at({"train/lr", images}), 0.001f);
    }
  EXPECT_EQ(s.size(), 2u * 2u + 4u * 5u);  // fid, wall_s at 2 generations; 5 train scalars at 4 rows

  // Exporting again replaces the file instead of adding a second copy of every scalar.
  ASSERT_EQ(test::run_program(test::kPython, {fmt::format("{}/scripts/export_tensorboard.py", test::kSourceDir),
                                              run.string(), "--logdir", (dir / "tb").string()})
                .exit_code,
            0);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "tb"), fs::directory_iterator()), 1);
  const auto refused = test::run_program(test::kPython, {fmt::format("{}/scripts/export_tensorboard.py", test::kSourceDir),
                                                         (dir / "tb").string()});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("is neither a run directory"), std::string::npos) << refused.output;
}

}  // namespace
}  // namespace retrain
