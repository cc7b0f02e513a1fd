// `retrain run`, `retrain train` and `retrain resume`, in one process or as the ranks of several.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "commands.hpp"
#include "options.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/logging.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/dist/placement.hpp"
#include "retrain/loop/experiment.hpp"
#include "retrain/report/html_report.hpp"
#include "retrain/train/trainer.hpp"

namespace retrain::cli {

namespace {

// The processes of this run when a launcher started several (torchrun, srun, scripts/launch_local.sh);
// the ranks after the first log warnings only and write nothing.
World join_world(const Config& config) {
  const auto placement = placement_from_environment();
  if (!placement.distributed()) return {};
  if (placement.rank != 0) init_logging(true);
  if (config.learner.type == LearnerType::diffusion)
    require_batch_divides(config.train.batch_size, config.train.accumulate, placement.world_size);
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(config.dist.timeout_s * 1000));
  World world = World::join(placement, resolve_device(config.device, config.gpu), timeout);
  spdlog::info("rank {} of {} ({} launch, store {}:{})", world.rank(), world.size(), placement.launcher,
               placement.master_addr, placement.master_port);
  return world;
}

// Opens an existing run on every rank and runs it to its end (from its newest generation or snapshot).
int continue_run(const std::string& run_dir, std::optional<std::int64_t> generations) {
  resume_hint() = fmt::format("`retrain resume {}`", run_dir);
  const World world = join_world(RunDir::open_for_reading(run_dir, generations).config());
  RunDir run = open_on_every_rank(world, run_dir, generations, [&] { return RunDir::open(run_dir, generations); });
  if (world.root()) set_log_file(run.file("log.txt"));
  run_experiment(run, world);
  if (world.root()) write_report_at_end(run.path());
  spdlog::info("done: metrics in {}", run.file(run_layout::kMetricsFile).string());
  return 0;
}

// The run in `dir` opened to continue as `config`: the same experiment, loop.generations aside (the
// new value, if larger, extends it). `why` says in messages which flag asked for this.
RunDir open_same_run(const std::filesystem::path& dir, const Config& config, const std::string& why) {
  Config existing = RunDir::open_for_reading(dir, config.loop.generations).config();
  if (const auto differences = config_differences(existing, config); !differences.empty())
    throw UsageError(fmt::format("{}: '{}' holds a run of another experiment ({}); continue it with `retrain resume {}` "
                                 "or give this one another --name",
                                 why, dir.string(), fmt::join(differences, ", "), dir.string()));
  spdlog::info("{}: continuing {}", why, dir.string());
  return RunDir::open(dir, config.loop.generations);
}

}  // namespace

int run_command(const CommonOptions& options) {
  if (options.config.empty()) throw UsageError("run: --config FILE is required (or run `retrain` alone for the demo)");
  const Config config = load_config_file(options.config, overrides_from(options));
  check_experiment(config);
  const auto dir = std::filesystem::path(config.out) / config.name;
  // torchrun --max-restarts starts the same command again after a rank failed: the run the failed
  // attempt made is continued, as with --continue (a requeued or resubmitted batch job).
  const auto restart = placement_from_environment().restart;
  const std::string why = restart > 0 ? fmt::format("torchrun restart {}", restart) : "--continue";
  const World world = join_world(config);
  RunDir run = open_on_every_rank(world, dir, config.loop.generations, [&] {
    if ((options.continue_existing || restart > 0) && run_layout::is_run(dir)) return open_same_run(dir, config, why);
    return RunDir::create(dir, config, options.overwrite);
  });
  resume_hint() = fmt::format("`retrain resume {}`", dir.string());
  if (world.root()) set_log_file(run.file("log.txt"));
  run_experiment(run, world);
  if (world.root()) write_report_at_end(run.path());
  spdlog::info("done: metrics in {}, per-generation checkpoints in {}/gen_NNNN", run.file(run_layout::kMetricsFile).string(),
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
  return continue_run(run_dir, generations);
}

}  // namespace retrain::cli
