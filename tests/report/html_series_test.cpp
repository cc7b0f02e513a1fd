// The numbers behind the report's charts: seed pooling (mean +- 2 SE) and reading .jsonl tables.
#include <gtest/gtest.h>

#include <cmath>

#include "retrain/core/errors.hpp"
#include "retrain/report/html_run_files.hpp"
#include "retrain/report/html_series.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

TEST(HtmlSeries, PoolingAveragesSeedsWithTwoStandardErrors) {
  const GenerationValues a = {{0, {1.0}}, {1, {2.0}}, {2, {5.0}}};
  const GenerationValues b = {{0, {3.0}}, {1, {2.0}}};  // generation 2 not reached
  const auto pooled = pooled_series("lambda=1 (2 seeds)", {a, b});
  ASSERT_EQ(pooled.points.size(), 2u);
  EXPECT_DOUBLE_EQ(pooled.points[0].y, 2.0);
  EXPECT_DOUBLE_EQ(pooled.points[0].low, 0.0);   // se = sqrt(((1-2)^2 + (3-2)^2) / 1 / 2) = 1
  EXPECT_DOUBLE_EQ(pooled.points[0].high, 4.0);
  EXPECT_DOUBLE_EQ(pooled.points[1].low, 2.0);   // equal values: no spread
  const auto single = pooled_series("run", {{{0, {1.0, 0.25}}, {1, {2.0}}}});
  EXPECT_DOUBLE_EQ(single.points[0].low, 0.5);
  EXPECT_TRUE(std::isnan(single.points[1].low));
  EXPECT_EQ(se_key_of("std_ratio_mean"), "std_ratio_se");
  EXPECT_EQ(se_key_of("fid"), "fid_se");
}

TEST(HtmlSeries, JsonLinesSkipATornLastLineAndNameABadOne) {
  test::ScratchDir dir;
  test::write_text(dir / "t.jsonl", "{\"generation\": 0}\n\n{\"generation\": 1}\n{\"generati");
  const auto rows = read_json_lines(dir / "t.jsonl");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1]["generation"], 1);
  test::write_text(dir / "bad.jsonl", "{\"generation\": 0}\n[1, 2]\n");
  const auto message = test::message_of<UsageError>([&] { read_json_lines(dir / "bad.jsonl"); });
  EXPECT_NE(message.find("bad.jsonl' line 2 is not a JSON object"), std::string::npos) << message;
}

}  // namespace
}  // namespace retrain
