// `retrain report` as a person sees it: a small real image run on the CPU and a fork of it, the fork's
// page written by `retrain report`, then opened in headless Chromium. The page must load without a
// console message (it has no script, so any is an error), show every section with its content, link
// the fork's parent, and render to a screenshot that is not blank. Skipped (GTEST_SKIP) without
// Chromium (Debian package chromium; scripts/test.sh installs it when run as root).
// RETRAIN_REPORT_SCREENSHOT=FILE copies the screenshot there (the README's, docs/results/).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <set>

#include "data/image_test_files.hpp"
#include "retrain/data/image_decode.hpp"
#include "retrain/report/html_sections.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

// The Chromium executable on PATH, or "" when there is none.
std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto colon = std::min(dirs.find(':', start), dirs.size());
    for (const char* name : {"chromium", "chromium-browser"}) {
      const auto exe = fs::path(dirs.substr(start, colon - start)) / name;
      if (::access(exe.c_str(), X_OK) == 0) return exe.string();
    }
    start = colon + 1;
  }
  return "";
}

// Headless Chromium on `page` with `action` (--dump-dom or --screenshot=FILE), its own profile, console
// messages logged to stderr; stdout and stderr together. Fails the test after two minutes.
std::string chromium(const std::string& exe, const test::ScratchDir& scratch, const fs::path& page,
                     const std::string& action) {
  const auto log = scratch / "chromium.log";
  const int pid = test::spawn_program(
      exe,
      {"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
       "--user-data-dir=" + (scratch / "profile").string(), "--window-size=1280,1200", "--enable-logging=stderr",
       "--v=0", action, "file://" + fs::absolute(page).string()},
      log);
  const auto code = test::wait_for(pid, std::chrono::seconds(120));
  EXPECT_TRUE(code.has_value()) << "chromium did not finish within 120 s";
  EXPECT_EQ(code.value_or(-1), 0) << test::read_text(log);
  return test::read_text(log);
}

// Chromium's log lines of the page's console (messages, uncaught exceptions).
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
  return lines;
}

// A screenshot is blank when (almost) every pixel has the colour of its top-left corner.
bool blank(const fs::path& png) {
  const auto image = decode_image(test::read_text(png), png.string());
  const auto chw = image.contiguous();
  const auto c = chw.size(0), h = chw.size(1), w = chw.size(2);
  const auto* p = chw.data_ptr<std::uint8_t>();
  std::int64_t differing = 0;
  std::set<std::uint32_t> colours;
  for (std::int64_t i = 0; i < h * w; ++i) {
    std::uint32_t rgb = 0;
    bool differs = false;
    for (std::int64_t k = 0; k < c; ++k) {
      rgb = rgb << 8 | p[k * h * w + i];
      differs = differs || p[k * h * w + i] != p[k * h * w];
    }
    differing += differs;
    colours.insert(rgb);
  }
  return differing < h * w / 50 || colours.size() < 16;  // under 2% drawn, or hardly any colours
}

// The markup of section `id` in a DOM dump.
std::string section(const std::string& dom, const std::string& id) {
  const auto start = dom.find(fmt::format("<section id=\"{}\">", id));
  if (start == std::string::npos) return "";
  return dom.substr(start, dom.find("</section>", start) - start);
}

TEST(ReportBrowser, TheCheckerSeesAConsoleErrorAndABlankPage) {
  const auto exe = find_chromium();
  if (exe.empty()) GTEST_SKIP() << "chromium is not installed (Debian package chromium; scripts/test.sh installs it as root)";
  test::ScratchDir scratch;
  test::write_text(scratch / "broken.html", "<!DOCTYPE html><html><body><script>no_such_function();</script></body></html>");
  EXPECT_EQ(console_lines(chromium(exe, scratch, scratch / "broken.html", "--dump-dom")).size(), 1u);
  chromium(exe, scratch, scratch / "broken.html", "--screenshot=" + (scratch / "blank.png").string());
  EXPECT_TRUE(blank(scratch / "blank.png"));
}

TEST(ReportBrowser, AForkedImageRunsPageLoadsCleanlyWithEverySection) {
  const auto exe = find_chromium();
  if (exe.empty()) GTEST_SKIP() << "chromium is not installed (Debian package chromium; scripts/test.sh installs it as root)";
  test::ScratchDir scratch;
  std::vector<torch::Tensor> images;
  for (std::int64_t i = 0; i < 16; ++i) images.push_back(test::pattern(1, 8, 8, 17 * i)[0]);
  test::write_text(scratch / "images-idx3-ubyte", test::idx_images(torch::stack(images)));
  // Two generations of a tiny U-Net on 16 images: pixel-space neighbours (no extractor), 8 strip seeds.
  test::write_text(scratch / "tiny.yaml",
                   fmt::format("seed: 1\ndevice: cpu\ndata: {{source: image, format: idx, path: '{}', n: 0}}\n"
                               "learner: {{type: diffusion}}\n"
                               "model: {{arch: ddpmpp, channels: 8, channel_mult: [1], num_blocks: 1, "
                               "attn_resolutions: [], dropout: 0}}\n"
                               "method: {{type: edm, steps: 3}}\ntrain: {{lr: 0.001, batch: 8, stats_every: 1}}\n"
                               "gen0: {{kimg: 0.032}}\nloop: {{generations: 2, lambda: 0.5, kimg_per_generation: 0.016}}\n"
                               "eval: {{num_samples: 8, grid: 8}}\n",
                               (scratch / "images-idx3-ubyte").string()));
  const auto runs = scratch / "runs";
  const auto run = run_retrain({"run", "--config", (scratch / "tiny.yaml").string(), "--out", runs.string(), "--quiet"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(fs::exists(runs / "tiny/report.html"));  // written at the end of the run
  const auto fork = run_retrain({"fork", (runs / "tiny").string(), "--at", "1", "--name", "lambda1", "--set",
                                 "loop.lambda=1", "--quiet"});
  ASSERT_EQ(fork.exit_code, 0) << fork.output;
  const auto page = scratch / "page.html";
  const auto report = run_retrain({"report", (runs / "lambda1").string(), "--out", page.string()});
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(report.output.find(page.string()), std::string::npos) << report.output;

  const auto dom = chromium(exe, scratch, page, "--dump-dom");
  EXPECT_EQ(console_lines(dom), std::vector<std::string>{});
  for (const auto& s : report_sections()) {
    const auto markup = section(dom, s.id);
    EXPECT_NE(markup.find(fmt::format("<h2>{}</h2>", s.title)), std::string::npos) << s.id << " is not on the page";
    EXPECT_EQ(markup.find("class=\"missing\""), std::string::npos) << s.id << ": " << markup;
  }
  EXPECT_NE(section(dom, "metrics").find("<svg"), std::string::npos);
  EXPECT_NE(section(dom, "training").find("loss during training"), std::string::npos);
  EXPECT_NE(section(dom, "strip").find("<img src=\"data:image/png;base64,"), std::string::npos);
  EXPECT_NE(section(dom, "neighbours").find("nearest real images in pixels space"), std::string::npos);
  EXPECT_NE(section(dom, "timing").find("training throughput"), std::string::npos);
  const auto table = section(dom, "table");
  std::size_t rows = 0;
  for (auto at = table.find("<tr>"); at != std::string::npos; at = table.find("<tr>", at + 1)) ++rows;
  EXPECT_EQ(rows, 1u + 3u);  // the header, the parent's generations 0 and 1, the fork's own 2
  EXPECT_NE(dom.find("runs/tiny/report.html\">"), std::string::npos);     // the parent, linked
  EXPECT_NE(dom.find("at generation 1: generations 0 to 1 are the parent's"), std::string::npos);

  const auto screenshot = scratch / "report.png";
  EXPECT_EQ(console_lines(chromium(exe, scratch, page, "--screenshot=" + screenshot.string())),
            std::vector<std::string>{});
  ASSERT_TRUE(fs::exists(screenshot));
  EXPECT_FALSE(blank(screenshot));
  if (const char* keep = std::getenv("RETRAIN_REPORT_SCREENSHOT")) fs::copy_file(screenshot, keep, fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace retrain
