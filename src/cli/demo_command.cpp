// The embedded default experiment: the Gaussian of configs/demo.yaml refit on its own samples only,
// and with the real data kept (lambda = 1), side by side; prints a table and where the results are.
// Re-running continues (or just reports) the existing demo runs.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "options.hpp"
#include "retrain/core/logging.hpp"
#include "retrain/loop/experiment.hpp"

namespace retrain::cli {
namespace {

struct Variant {
  const char* name;
  const char* real;
  const char* what;
};
constexpr Variant kVariants[] = {
    {"synthetic_only", "none", "fully synthetic (only its own samples)"},
    {"fixed_real", "fixed", "real data kept, lambda = 1"},
};

std::map<std::int64_t, double> column(const std::filesystem::path& metrics, const std::string& key) {
  std::map<std::int64_t, double> out;
  std::ifstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    out[j["generation"].get<std::int64_t>()] = j[key].get<double>();
  }
  return out;
}

// E[sigma_t]/sigma_0 for a 1-D Gaussian refit on n of its own samples: alpha(n)^t (paper 1, Prop. 1).
double alpha(std::int64_t n) {
  const double nd = static_cast<double>(n);
  return std::sqrt(2.0 / (nd - 1)) * std::exp(std::lgamma(nd / 2) - std::lgamma((nd - 1) / 2));
}

}  // namespace

int demo_command(const CommonOptions& options) {
  std::vector<std::filesystem::path> dirs;
  Config last;
  for (const auto& v : kVariants) {
    auto overrides = overrides_from(options);
    overrides.insert(overrides.begin(), {{"loop.real", v.real}, {"name", std::string("demo/") + v.name, true}});
    const Config config = load_config_text(embedded_demo_yaml(), "configs/demo.yaml (embedded)", overrides);
    const auto dir = std::filesystem::path(config.out) / config.name;
    spdlog::info("demo: {} -> {}", v.what, dir.string());
    RunDir run = RunDir::is_run(dir) && !options.overwrite ? RunDir::open(dir) : RunDir::create(dir, config, options.overwrite);
    active_run_dir() = dir.string();
    add_log_file(run.file("log.txt"));
    run_experiment(run);
    dirs.push_back(dir);
    last = config;
  }
  const auto synth = column(dirs[0] / "metrics.jsonl", "std_ratio_mean");
  const auto fixed = column(dirs[1] / "metrics.jsonl", "std_ratio_mean");
  const double a = alpha(last.data.n);
  std::cout << fmt::format("\nstd_t / std_0, mean of {} replicas of a 1-D Gaussian, n = {}:\n", last.learner.replicas,
                           last.data.n);
  std::cout << fmt::format("{:>10} {:>16} {:>16} {:>16}\n", "generation", "synthetic only", "alpha(n)^t", "fixed real");
  for (std::int64_t g = 0; g <= last.loop.generations; g += std::max<std::int64_t>(1, last.loop.generations / 10))
    if (synth.count(g) && fixed.count(g))
      std::cout << fmt::format("{:>10} {:>16.4f} {:>16.4f} {:>16.4f}\n", g, synth.at(g), std::pow(a, g), fixed.at(g));
  std::cout << "\nResults:\n";
  for (const auto& d : dirs)
    std::cout << fmt::format("  {}/metrics.jsonl, {}/gaussian_params.csv, {}/gen_NNNN/\n", d.string(), d.string(),
                             d.string());
  return 0;
}

}  // namespace retrain::cli
