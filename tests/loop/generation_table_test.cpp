// GenerationTable: appended rows survive, rows past the resume point and torn lines are dropped.
#include <gtest/gtest.h>

#include "retrain/loop/generation_table.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

TEST(GenerationTable, CsvKeepsHeaderAndRowsUpToTheGeneration) {
  test::ScratchDir dir;
  GenerationTable table(dir / "t.csv", RowFormat::Csv, "generation,value");
  table.append("0,a\n0,b\n");
  table.append("1,c\n");
  table.append("2,d\n");
  EXPECT_EQ(test::read_text(dir / "t.csv"), "generation,value\n0,a\n0,b\n1,c\n2,d\n");
  table.truncate_after(1);
  EXPECT_EQ(test::read_text(dir / "t.csv"), "generation,value\n0,a\n0,b\n1,c\n");
  table.truncate_after(-1);
  EXPECT_EQ(test::read_text(dir / "t.csv"), "generation,value\n");
}

TEST(GenerationTable, JsonLinesDropTornLastLine) {
  test::ScratchDir dir;
  test::write_text(dir / "m.jsonl", "{\"generation\":0,\"x\":1}\n{\"generation\":1,\"x\":2}\n{\"generation\":2,\"x");
  GenerationTable(dir / "m.jsonl", RowFormat::JsonLines).truncate_after(5);
  EXPECT_EQ(test::read_text(dir / "m.jsonl"), "{\"generation\":0,\"x\":1}\n{\"generation\":1,\"x\":2}\n");
}

TEST(GenerationTable, MissingFileIsFine) {
  test::ScratchDir dir;
  GenerationTable(dir / "none.csv", RowFormat::Csv, "h").truncate_after(3);
  EXPECT_FALSE(std::filesystem::exists(dir / "none.csv"));
}

}  // namespace
}  // namespace retrain
