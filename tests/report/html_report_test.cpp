// The report page of runs and sweeps, from real (Gaussian) runs plus fixture files for the parts a
// Gaussian run does not write: per-step training statistics, the same-seed strip, nearest neighbours
// and a fork origin. Every section is present; one whose file is missing says so.
#include <gtest/gtest.h>

#include "retrain/core/errors.hpp"
#include "retrain/loop/experiment.hpp"
#include "retrain/plots/png.hpp"
#include "retrain/report/html_base64.hpp"
#include "retrain/report/html_report.hpp"
#include "retrain/report/html_sections.hpp"
#include "retrain/report/sweep.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGaussianRun =
    "device: cpu\ndata: {n: 10}\nlearner: {replicas: 3}\nloop: {generations: 2, lambda: 0.5}\n";

fs::path make_run(const test::ScratchDir& scratch, const std::string& name) {
  Config c = load_config_text(kGaussianRun, name + ".yaml");
  c.name = name;
  RunDir run = RunDir::create(scratch / name, c, false);
  run_experiment(run);
  return run.path();
}

// The markup of section `id` (from its start tag to its end tag).
std::string section(const std::string& page, const std::string& id) {
  const auto start = page.find(fmt::format("<section id=\"{}\">", id));
  if (start == std::string::npos) return "";
  return page.substr(start, page.find("</section>", start) - start);
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

// What the producer of each file writes, in small: two logged steps per generation, a strip, the
// neighbours of two seeds in generations 1 and 2, and the fork origin.
void add_fixture_files(const fs::path& run, const fs::path& parent) {
  std::string stats;
  for (int g = 0; g <= 2; ++g)
    for (int step : {100, 200})
      stats += fmt::format(R"({{"generation": {}, "step": {}, "images": {}, "loss_mean": {}, "loss_std": 0.1, )"
                           R"("grad_norm": {}, "lr": 0.001, "images_per_s": {}}})"
                           "\n",
                           g, step, step * 8, 1.0 / (step + g), 0.5 + g, 1000 + 10 * g);
  test::write_text(run / "train_stats.jsonl", stats);
  fs::create_directories(run / "plots");
  write_png(run / "plots/seed_strip.png", Image(48, 24, {200, 40, 40}));
  for (int g : {1, 2}) {
    const auto dir = run / fmt::format("gen_{:04d}", g);
    write_png(dir / "neighbours.png", Image(40, 20, {40, 40, 200}));
    test::write_text(dir / "neighbours.json",
                     fmt::format(R"({{"space": "pixels", "rows": [{{"seed": 7, "neighbours": [{{"index": 3, )"
                                 R"("distance": {}}}, {{"index": 9, "distance": 0.5}}]}}, {{"seed": 8, "neighbours": )"
                                 R"([{{"index": 1, "distance": 0.25}}]}}]}})",
                                 0.125 * g));
  }
  test::write_text(run / "fork.json", fmt::format(R"({{"parent": "{}", "at": 1}})", parent.string()));
}

TEST(HtmlReport, ARunPageShowsEverySectionFromItsFiles) {
  test::ScratchDir scratch;
  const auto parent = make_run(scratch, "parent");
  write_report(parent);
  const auto run = make_run(scratch, "child");
  add_fixture_files(run, parent);
  const auto page_path = write_report(run);
  EXPECT_EQ(page_path, run / "report.html");
  const std::string page = test::read_text(page_path);

  for (const auto& s : report_sections()) {
    const auto markup = section(page, s.id);
    EXPECT_NE(markup.find(fmt::format("<h2>{}</h2>", s.title)), std::string::npos) << s.id;
    EXPECT_EQ(markup.find("class=\"missing\""), std::string::npos) << s.id << ": " << markup.substr(0, 400);
  }
  EXPECT_NE(page.find("<a href=\"../parent/report.html\">"), std::string::npos);  // the fork's parent, linked
  EXPECT_NE(page.find("at generation 1: generations 0 to 1 are the parent&#39;s"), std::string::npos);
  // default -> this run, the values quoted as config messages quote them
  EXPECT_NE(section(page, "config").find("loop.lambda: &#39;1&#39; -&gt; &#39;0.5&#39;"), std::string::npos);
  EXPECT_NE(section(page, "metrics").find("std_ratio_mean"), std::string::npos);
  const auto training = section(page, "training");
  EXPECT_NE(training.find("loss during training"), std::string::npos);
  EXPECT_NE(training.find("gradient norm during training"), std::string::npos);
  EXPECT_EQ(training.find("learning rate"), std::string::npos);  // constant: no chart
  EXPECT_NE(training.find("generation 2</text>"), std::string::npos);  // a legend entry per generation line
  const auto strip = section(page, "strip");
  EXPECT_NE(strip.find(data_uri("image/png", test::read_text(run / "plots/seed_strip.png"))), std::string::npos);
  const auto neighbours = section(page, "neighbours");
  EXPECT_NE(neighbours.find("generation 2: nearest real images in pixels space; distance to the nearest per row: "
                            "seed 7: 0.25, seed 8: 0.25"),
            std::string::npos);
  EXPECT_EQ(count_of(neighbours, "<img"), 2u);
  EXPECT_NE(section(page, "timing").find("training throughput"), std::string::npos);
  EXPECT_EQ(count_of(section(page, "table"), "<tr>"), 1u + 3u);  // header + generations 0, 1, 2
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"));  // nothing fetched from a network
}

TEST(HtmlReport, AMissingFileLeavesItsSectionSayingSo) {
  test::ScratchDir scratch;
  const auto run = make_run(scratch, "bare");
  const std::string page = test::read_text(write_report(run, scratch / "elsewhere.html"));
  for (const char* id : {"training", "strip", "neighbours"})
    EXPECT_NE(section(page, id).find("class=\"missing\""), std::string::npos) << id;
  for (const char* id : {"config", "metrics", "timing", "table"})
    EXPECT_EQ(section(page, id).find("class=\"missing\""), std::string::npos) << id;
  EXPECT_EQ(page.find("class=\"fork\""), std::string::npos);
  EXPECT_FALSE(fs::exists(run / "report.html"));  // --out elsewhere
}

TEST(HtmlReport, ASweepPageHasOneLinePerGridPointWithSeedsPooled) {
  test::ScratchDir scratch;
  const std::string yaml = fmt::format("out: {}\nname: sw\n{}", scratch.path().string(), kGaussianRun);
  const auto result = run_sweep(yaml, "sw.yaml", {}, {parse_axis("loop.lambda=0.5,1"), parse_axis("seed=1,2")});
  ASSERT_FALSE(result.reports.empty());
  EXPECT_EQ(result.reports.back(), scratch / "sw/report.html");  // written at the end of the sweep
  for (const auto& r : result.runs) EXPECT_TRUE(fs::exists(r.dir / "report.html")) << r.label;
  // Written again from the directory alone, the grid points are found in the same order: the same page
  // but for the footer's time.
  const std::string at_end = test::read_text(scratch / "sw/report.html");
  const std::string page = test::read_text(write_report(scratch / "sw"));
  EXPECT_EQ(page.substr(0, page.find("<footer>")), at_end.substr(0, at_end.find("<footer>")));
  for (const auto& r : result.runs)
    EXPECT_NE(page.find(fmt::format("<a href=\"{}/report.html\">{}</a>", file_href(scratch / "sw", r.dir), r.label)),
              std::string::npos)
        << r.label;
  const auto metrics = section(page, "metrics");
  const auto first_chart = metrics.substr(0, metrics.find("</svg>"));
  EXPECT_EQ(count_of(first_chart, "<g class=\"series\">"), 2u);
  EXPECT_NE(first_chart.find("lambda=0.5 (2 seeds)"), std::string::npos);
  EXPECT_NE(first_chart.find("lambda=1 (2 seeds)"), std::string::npos);
  EXPECT_EQ(count_of(first_chart, "class=\"band\""), 2u);
  EXPECT_NE(section(page, "config").find("<td>lambda=1,seed=2</td><td>seed: &#39;1&#39; -&gt; &#39;2&#39;; "
                                         "loop.lambda: &#39;0.5&#39; -&gt; &#39;1&#39;</td>"),
            std::string::npos);
  EXPECT_EQ(count_of(section(page, "table"), "<tr>"), 1u + 4u * 3u);
}

TEST(HtmlReport, RefusesWhatIsNotARunOrSweepAndMalformedFiles) {
  test::ScratchDir scratch;
  fs::create_directories(scratch / "empty");
  const auto not_run = test::message_of<UsageError>([&] { write_report(scratch / "empty"); });
  EXPECT_NE(not_run.find("is neither a run directory"), std::string::npos) << not_run;
  const auto run = make_run(scratch, "r");
  test::write_text(run / "gen_0001/neighbours.png", "");
  test::write_text(run / "gen_0001/neighbours.json", R"({"space": "pixels", "rows": [{"seed": 1}]})");
  const auto bad = test::message_of<UsageError>([&] { write_report(run); });
  EXPECT_NE(bad.find("gen_0001/neighbours.json': a row is not"), std::string::npos) << bad;
  const auto no_dir = test::message_of<UsageError>([&] { write_report(run, scratch / "no/such/page.html"); });
  EXPECT_NE(no_dir.find("does not exist"), std::string::npos) << no_dir;
}

}  // namespace
}  // namespace retrain
