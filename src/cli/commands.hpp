// The `retrain` subcommands, each a function the CLI dispatches to. Only cli/ knows about argv.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace retrain::cli {

// Flags shared by run / resume / demo (each maps onto a config key, so it is validated like YAML).
struct CommonOptions {
  std::string config;
  std::vector<std::string> sets;  // --set key=value
  std::optional<std::string> out, name, device;
  std::optional<std::uint64_t> seed;
  bool quiet = false;
  bool overwrite = false;
  bool continue_existing = false;  // run/train --continue: continue the run of this config in the directory
};

// `retrain sample` flags beyond the common ones; unset optionals keep the config's values.
struct SampleOptions {
  std::string seeds = "0-63";
  std::string out = "samples";
  std::string weights = "ema";  // ema | raw
  std::optional<std::int64_t> steps, batch, class_label;
  std::optional<std::string> sampler;
  std::optional<double> guidance;
};

// `retrain metrics A [B]`: A is the reference (real) set, B the set evaluated against it.
struct MetricsOptions {
  std::string reference, candidate;      // feature inputs (see retrain/loop/feature_input.hpp); B may be empty
  std::optional<std::string> save_stats; // write A's FID statistics (mu, sigma) to this .npz
  std::optional<std::string> extractor;  // features of image inputs (see make_feature_extractor)
  std::int64_t max_images = 0;           // > 0: only the first max_images images of each image input
  std::string device = "auto";           // the extractor's (and checkpoint sampling's) device: cpu | cuda | auto
  std::optional<std::string> config;     // model.* / method.* of checkpoint inputs outside a run
  std::int64_t k = 3;                    // neighbours for the precision/recall/density/coverage balls
  std::optional<std::string> out;        // also write the metrics as JSON here
  bool quiet = false;                    // only warnings and errors on the console (the metrics still print)
};

// `retrain eval TARGET`: TARGET is a run directory (its committed generations, evaluated again into
// TARGET/eval/NAME) or a checkpoint directory (evaluated with --config's settings into --out-dir).
struct EvalOptions {
  std::string target;
  std::string generations;                // run: e.g. "0,2-4"; empty = every committed generation
  std::vector<std::string> sets;          // --set key=value (run: eval.* and device only)
  std::optional<std::string> config;      // checkpoint: the data, model and eval settings
  std::optional<std::string> device;      // cpu | cuda | auto (config key device)
  std::optional<std::string> out_dir;     // checkpoint: where metrics.json goes (default: see eval_command.cpp)
  std::string name = "eval";              // run: the results go to RUN_DIR/eval/<name>
  bool overwrite = false;                 // replace an existing results directory
  bool quiet = false;
};

int run_command(const CommonOptions& options);
// `retrain train`: generation 0 only (loop.generations = 0), resumable like any run.
int train_command(const CommonOptions& options);
int features_train_command(const CommonOptions& options);
int sample_command(const std::string& checkpoint, const SampleOptions& options, const CommonOptions& common);
int resume_command(const std::string& run_dir, const CommonOptions& options);
// `retrain fork RUN --at G --name NEW`: a new run sharing RUN's generations 0..G (see loop/fork.hpp),
// then run to its loop.generations; options: --set (loop.*, eval.*, device), --name, --out, --quiet.
int fork_command(const std::string& parent_dir, std::int64_t at, const CommonOptions& options);
int info_command(const CommonOptions& options, bool keys);
int demo_command(const CommonOptions& options);
int sweep_command(const CommonOptions& options, const std::vector<std::string>& grid, int jobs,
                  std::optional<std::size_t> point, bool count);
int metrics_command(const MetricsOptions& options);
int eval_command(const EvalOptions& options);
// `retrain report DIR [--out FILE]`: the HTML page of a run or sweep directory (default DIR/report.html).
int report_command(const std::string& dir, const std::optional<std::string>& out);

// What continues the interrupted work (e.g. "`retrain resume runs/x`"), for the hint printed after an
// interruption; empty: the generic `retrain resume <run dir>`.
std::string& resume_hint();

// The YAML of configs/demo.yaml, compiled in.
const char* embedded_demo_yaml();

}  // namespace retrain::cli
