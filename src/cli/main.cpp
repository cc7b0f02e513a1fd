// `retrain` entry point: parses argv with CLI11, dispatches to a command, and maps failures to exit
// codes with a one-line reason: 0 success, 1 runtime failure, 2 bad usage or config, 130 interrupted.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <c10/util/Exception.h>

#include <iostream>
#include <string>
#include <string_view>

#include "commands.hpp"
#include "retrain/core/allocator.hpp"
#include "retrain/core/build_info.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/logging.hpp"
#include "retrain/core/signals.hpp"
#include "retrain/dist/placement.hpp"

namespace {

using retrain::cli::CommonOptions;

std::string first_line(std::string_view text) {
  const auto end = text.find('\n');
  return std::string(text.substr(0, end));
}

// The error contract: one line `retrain: error: ...` on stderr; the full text (a LibTorch backtrace,
// say) only in the run's log.txt when one is open. Returns `code`.
int report_failure(std::string_view full, int code, std::string_view message = {}) {
  spdlog::debug("failure details: {}", full);  // below the console's level: log.txt only
  spdlog::default_logger()->flush();
  std::cerr << "retrain: error: " << first_line(message.empty() ? full : message) << "\n";
  return code;
}

void add_common(CLI::App& app, CommonOptions& o, bool with_config) {
  if (with_config) app.add_option("--config,-c", o.config, "Experiment YAML file")->check(CLI::ExistingFile);
  app.add_option("--set", o.sets, "Override a config key: --set loop.lambda=0.5 (repeatable, typed like YAML)");
  app.add_option("--out", o.out, "Parent directory for run directories (config key: out)");
  app.add_option("--name", o.name, "Run name (config key: name; default: the config file's name)");
  app.add_option("--device", o.device, "cpu, cuda or auto (config key: device)");
  app.add_option("--seed", o.seed, "Run seed (config key: seed)");
  app.add_flag("--quiet,-q", o.quiet, "Only warnings and errors on the console");
  app.add_flag("--overwrite", o.overwrite, "Replace an existing run directory");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"retrain: train generative models, then retrain them generation after generation on real data mixed\n"
               "with their own samples (Bertrand et al. 2024; Gillman et al. 2024).\n"
               "With no arguments, runs the built-in demo."};
  app.set_version_flag("--version", "retrain " + retrain::build_info().version);
  CommonOptions top, run_opts, resume_opts, info_opts, sweep_opts, train_opts, sample_opts;
  add_common(app, top, true);

  auto* run = app.add_subcommand("run", "Run an experiment from a config file");
  add_common(*run, run_opts, true);
  auto* train = app.add_subcommand("train", "Train generation 0 only (plain training; the checkpoint is RUN/gen_0000)");
  add_common(*train, train_opts, true);
  for (auto [command, opts] : {std::pair{run, &run_opts}, std::pair{train, &train_opts}})
    command->add_flag("--continue", opts->continue_existing,
                      "When the run directory holds a run of this config, continue it from its newest generation "
                      "or snapshot (a larger loop.generations extends it); else start it. For batch jobs that "
                      "may be requeued or submitted again")
        ->excludes("--overwrite");
  auto* sample = app.add_subcommand("sample", "Sample a checkpoint: one PNG per seed ({seed:06d}.png) in --out-dir D, "
                                                "and D-grid.png beside it");
  retrain::cli::SampleOptions sample_flags;
  std::string checkpoint;
  sample->add_option("CHECKPOINT", checkpoint, "A checkpoint directory (e.g. runs/NAME/gen_0003)")->required();
  add_common(*sample, sample_opts, true);
  sample->add_option("--seeds", sample_flags.seeds, "Seeds, e.g. 0-63 or 0-9,100 (one sample per seed)");
  sample->add_option("--out-dir", sample_flags.out, "Where the PNGs go (default: samples)");
  sample->add_option("--weights", sample_flags.weights, "ema or raw")->check(CLI::IsMember({"ema", "raw"}));
  sample->add_option("--steps", sample_flags.steps, "Sampler steps (config key method.steps)");
  sample->add_option("--sampler", sample_flags.sampler, "Sampler (config key method.sampler)");
  sample->add_option("--guidance", sample_flags.guidance, "Classifier-free guidance weight (method.guidance)");
  sample->add_option("--class", sample_flags.class_label, "Sample only this class (conditional models)");
  sample->add_option("--batch", sample_flags.batch, "Samples per sampler call (method.sample_batch)");
  auto* features = app.add_subcommand("features", "Feature extractors for the image metrics");
  auto* features_train = features->add_subcommand("train", "Train the built-in classifier on data.* and save it to "
                                                             "eval.extractor");
  CommonOptions features_opts;
  add_common(*features_train, features_opts, true);
  features->require_subcommand(1);
  auto* resume = app.add_subcommand("resume", "Continue a run from its newest complete generation");
  std::string run_dir;
  resume->add_option("RUN_DIR", run_dir, "The run directory")->required();
  resume->add_option("--set", resume_opts.sets, "Only loop.generations=N, to extend a finished run");
  resume->add_flag("--quiet,-q", resume_opts.quiet, "Only warnings and errors on the console");
  auto* fork_cmd = app.add_subcommand("fork", "A new run sharing RUN_DIR's generations 0..G (hard links), continuing with "
                                          "changed loop.* / eval.* keys");
  CommonOptions fork_opts;
  std::string fork_parent;
  std::int64_t fork_at = 0;
  fork_cmd->add_option("RUN_DIR", fork_parent, "The parent run directory")->required();
  fork_cmd->add_option("--at", fork_at, "The last generation shared with the parent")->required();
  fork_cmd->add_option("--name", fork_opts.name, "The new run's name")->required();
  fork_cmd->add_option("--out", fork_opts.out, "Parent directory of the new run (default: the parent run's, a sibling)");
  fork_cmd->add_option("--set", fork_opts.sets, "Change a loop.* or eval.* key from generation G + 1 on: --set "
                                            "loop.lambda=1.5 (repeatable)");
  fork_cmd->add_flag("--quiet,-q", fork_opts.quiet, "Only warnings and errors on the console");
  auto* info = app.add_subcommand("info", "Build, torch, CUDA and device facts; the resolved config with --config");
  add_common(*info, info_opts, true);
  bool keys = false;
  info->add_flag("--keys", keys, "Print every config key with its type, default and meaning (Markdown)");
  auto* sweep = app.add_subcommand("sweep", "Run a grid of configs (e.g. lambda x gamma) and combine their results");
  add_common(*sweep, sweep_opts, true);
  std::vector<std::string> grid;
  sweep->add_option("--grid", grid, "key=v1,v2,... (repeatable; the runs are every combination; default: the config's sweep.grid)");
  int jobs = 1;
  sweep->add_option("--jobs,-j", jobs,
                    "Grid points run at once, each a `retrain resume` process with its share of the CPU threads and, "
                    "when GPUs are visible, one GPU of its own (default 1: one after another in this process)")
      ->check(CLI::PositiveNumber);
  std::optional<std::size_t> point;
  sweep->add_option("--point", point,
                    "Run only grid point K (0-based, last axis fastest), without the combined reports: one task of a "
                    "job array (scripts/slurm/sweep_array.sbatch); a later plain `retrain sweep` writes the reports");
  bool count = false;
  sweep->add_flag("--count", count, "Print the number of grid points and exit (the size of a job array)");
  auto* metrics = app.add_subcommand("metrics", "FID, precision, recall, density and coverage of B against the "
                                                "reference set A (feature .npy files, image sets or checkpoints)");
  retrain::cli::MetricsOptions metrics_opts;
  const char* metrics_input = ": [N, D] .npy features, an .npz of FID statistics (mu, sigma), an image folder, an "
                              "EDM zip/folder, a config (.yaml) or a checkpoint directory (sampled with seeds 0..N-1)";
  metrics->add_option("A", metrics_opts.reference, std::string("Reference (real) set") + metrics_input)->required();
  metrics->add_option("B", metrics_opts.candidate, std::string("Set to evaluate (may be left out with --save-stats)") +
                                                       metrics_input);
  metrics->add_option("--save-stats", metrics_opts.save_stats,
                      "Write A's FID statistics (mu, sigma, count) to this .npz, as EDM's fid.py ref does");
  metrics->add_option("--extractor", metrics_opts.extractor,
                      "Features of image inputs: a classifier directory or a TorchScript .pt file");
  metrics->add_option("--max", metrics_opts.max_images, "Use only the first N images of each image input (0 = all); "
                                                        "a checkpoint draws N samples (0 = 10000)");
  metrics->add_option("--device", metrics_opts.device, "Where the extractor and checkpoint sampling run: cpu | cuda | "
                                                       "auto (default auto)");
  metrics->add_option("--config,-c", metrics_opts.config, "Checkpoint inputs outside a run: the config with their "
                                                          "model.* and method.* keys (default: the run's config.yaml)")
      ->check(CLI::ExistingFile);
  metrics->add_option("--k", metrics_opts.k, "Nearest neighbour that sets each ball's radius (default 3)");
  metrics->add_option("--out", metrics_opts.out, "Also write the metrics as JSON to this file");
  metrics->add_flag("--quiet,-q", metrics_opts.quiet,
                    "Only warnings and errors on the console (the metrics still print)");
  auto* eval = app.add_subcommand("eval", "Evaluate a run's committed generations again (e.g. more samples, another "
                                          "extractor) into RUN_DIR/eval/NAME, or a checkpoint with --config");
  retrain::cli::EvalOptions eval_opts;
  eval->add_option("TARGET", eval_opts.target, "A run directory, or a checkpoint directory (model.safetensors)")
      ->required();
  eval->add_option("--generations", eval_opts.generations, "Run: only these generations, e.g. 3 or 0,2-4 (default: "
                                                           "every committed one)");
  eval->add_option("--set", eval_opts.sets, "Override a config key (run: only eval.* and device), e.g. "
                                            "--set eval.num_samples=50000 (repeatable)");
  eval->add_option("--name", eval_opts.name, "Run: results go to RUN_DIR/eval/NAME (default: eval)");
  eval->add_option("--config,-c", eval_opts.config, "Checkpoint: the config with its data, model and eval settings")
      ->check(CLI::ExistingFile);
  eval->add_option("--out-dir", eval_opts.out_dir, "Checkpoint: where metrics.json goes (default: CHECKPOINT/eval, "
                                                   "or ./eval-NAME for a committed generation of a run)");
  eval->add_option("--device", eval_opts.device, "cpu, cuda or auto (config key: device)");
  eval->add_flag("--overwrite", eval_opts.overwrite, "Replace existing results");
  eval->add_flag("--quiet,-q", eval_opts.quiet, "Only warnings and errors on the console (the table still prints)");
  auto* report = app.add_subcommand("report", "Write one self-contained HTML page of a run or sweep: config, metric "
                                              "curves, training loss, same-seed strip, neighbours, timings, numbers");
  std::string report_dir;
  std::optional<std::string> report_out;
  report->add_option("DIR", report_dir, "A run directory, or a sweep directory (its grid points' runs)")->required();
  report->add_option("--out", report_out, "Where the page goes (default: DIR/report.html)");
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    std::cerr << "retrain: error: " << first_line(e.what()) << " (see `retrain --help`)\n";
    return 2;
  }

  retrain::keep_freed_memory_in_heap();
  const bool quiet = top.quiet || run_opts.quiet || resume_opts.quiet || sweep_opts.quiet || train_opts.quiet ||
                     sample_opts.quiet || eval_opts.quiet || features_opts.quiet || info_opts.quiet ||
                     metrics_opts.quiet || fork_opts.quiet;
  retrain::init_logging(quiet);
  try {
    retrain::throw_if_stop_requested("starting");  // the handlers are installed before main (early_start.cpp)
    // Only a run trains on several processes; the other commands would repeat their work per rank.
    const auto chosen = app.get_subcommands();
    const bool one_run = *run || *train || *resume || (chosen.empty() && !top.config.empty());
    if (const auto placement = retrain::placement_from_environment(); !one_run && placement.distributed())
      throw retrain::UsageError(fmt::format(
          "`retrain {}` runs in one process, but a launcher started {} ({}): only run, train and resume use several "
          "(a sweep: one `retrain sweep --point K` per job-array task)",
          chosen.empty() ? std::string("(the demo)") : chosen.front()->get_name(), placement.world_size,
          placement.launcher));
    if (*run) return retrain::cli::run_command(run_opts);
    if (*train) return retrain::cli::train_command(train_opts);
    if (*features_train) return retrain::cli::features_train_command(features_opts);
    if (*sample) return retrain::cli::sample_command(checkpoint, sample_flags, sample_opts);
    if (*resume) return retrain::cli::resume_command(run_dir, resume_opts);
    if (*fork_cmd) return retrain::cli::fork_command(fork_parent, fork_at, fork_opts);
    if (*info) return retrain::cli::info_command(info_opts, keys);
    if (*sweep) return retrain::cli::sweep_command(sweep_opts, grid, jobs, point, count);
    if (*metrics) return retrain::cli::metrics_command(metrics_opts);
    if (*eval) return retrain::cli::eval_command(eval_opts);
    if (*report) return retrain::cli::report_command(report_dir, report_out);
    if (!top.config.empty()) return retrain::cli::run_command(top);
    return retrain::cli::demo_command(top);
  } catch (const retrain::UsageError& e) {  // and CorruptFile
    return report_failure(e.what(), 2);
  } catch (const retrain::Interrupted& e) {
    const auto& hint = retrain::cli::resume_hint();
    std::cerr << "retrain: " << e.what() << "; every committed generation is kept: "
              << (hint.empty() ? "`retrain resume <run dir>`" : hint) << " continues\n";
    return 130;
  } catch (const retrain::RuntimeFailure& e) {  // and DistError
    return report_failure(e.what(), 1);
  } catch (const c10::Error& e) {
    return report_failure(e.what(), 1, e.msg());
  } catch (const std::exception& e) {
    return report_failure(e.what(), 1);
  }
}
