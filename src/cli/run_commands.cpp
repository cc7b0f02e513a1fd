// `retrain run`, `retrain train` and `retrain resume`.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "commands.hpp"
#include "options.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/logging.hpp"
#include "retrain/loop/experiment.hpp"

namespace retrain::cli {

int run_command(const CommonOptions& options) {
  if (options.config.empty()) throw UsageError("run: --config FILE is required (or run `retrain` alone for the demo)");
  const Config config = load_config_file(options.config, overrides_from(options));
  check_experiment(config);
  const auto dir = std::filesystem::path(config.out) / config.name;
  RunDir run = RunDir::create(dir, config, options.overwrite);
  resume_hint() = fmt::format("`retrain resume {}`", dir.string());
  set_log_file(run.file("log.txt"));
  run_experiment(run);
  spdlog::info("done: metrics in {}, per-generation checkpoints in {}/gen_NNNN", run.file("metrics.jsonl").string(),
               run.path().string());
  return 0;
}

int train_command(const CommonOptions& options) {
  CommonOptions train = options;
  train.sets.push_back("loop.generations=0");
  return run_command(train);
}

int resume_command(const std::string& run_dir, const CommonOptions& options) {
  std::optional<std::int64_t> generations;
  for (const auto& o : overrides_from(options)) {
    if (o.key != "loop.generations")
      throw UsageError(fmt::format("resume: only --set loop.generations=N (to extend a run) is allowed; '{}' would "
                                   "change the experiment. Start a new run for that.",
                                   o.key));
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(o.value.data(), o.value.data() + o.value.size(), value);
    if (error != std::errc() || end != o.value.data() + o.value.size() || value < 1)
      throw UsageError(fmt::format("--set loop.generations={}: expects an integer >= 1", o.value));
    generations = value;
  }
  resume_hint() = fmt::format("`retrain resume {}`", run_dir);
  RunDir run = RunDir::open(run_dir, generations);
  set_log_file(run.file("log.txt"));
  run_experiment(run);
  spdlog::info("done: metrics in {}", run.file("metrics.jsonl").string());
  return 0;
}

}  // namespace retrain::cli
