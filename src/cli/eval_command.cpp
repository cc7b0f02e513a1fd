// `retrain eval RUN_DIR|CHECKPOINT`: evaluates committed generations of a run again (e.g. with more
// samples or another feature extractor) into RUN_DIR/eval/TAG/, or one checkpoint directory with the
// data and eval settings of a config file. Generation g is evaluated with the generator the run used
// (make_generator(seed, g, Stream::Eval)), so without overrides the numbers equal the run's own.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "metric_table.hpp"
#include "options.hpp"
#include "retrain/core/atomic_file.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/core/seed_list.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/loop/checkpoint_sampler.hpp"
#include "retrain/learners/diffusion_learner.hpp"
#include "retrain/learners/headline_metrics.hpp"
#include "retrain/loop/make_learner.hpp"
#include "retrain/loop/experiment.hpp"
#include "retrain/loop/reevaluate.hpp"
#include "retrain/loop/run_dir.hpp"

namespace retrain::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEvalDir = "eval";
// --set / --device as overrides. A run's checkpoints only fit its data and model settings, so there
// only eval.* and device may change.
std::vector<Override> eval_overrides(const EvalOptions& o, bool run_mode) {
  std::vector<Override> out;
  for (const auto& s : o.sets) out.push_back(parse_override(s));
  if (o.device) out.push_back({"device", *o.device});
  if (run_mode)
    for (const auto& ov : out)
      if (!ov.key.starts_with("eval.") && ov.key != "device")
        throw UsageError(fmt::format("eval: --set {}: only eval.* keys and device may change when re-evaluating a "
                                     "run (other settings would not match its checkpoints)", ov.key));
  return out;
}

// The requested generations (all committed ones by default), each checked to be committed.
std::vector<std::int64_t> selected_generations(const std::vector<std::int64_t>& committed, const std::string& text,
                                               const fs::path& run) {
  if (committed.empty())
    throw UsageError(fmt::format("'{}' has no committed generation to evaluate", run.string()));
  if (text.empty()) return committed;
  std::vector<std::uint64_t> requested;
  try {
    requested = parse_seed_list(text);
  } catch (const UsageError&) {
    throw UsageError(fmt::format("--generations '{}': expected generation numbers such as 3 or 0,2-4", text));
  }
  std::sort(requested.begin(), requested.end());
  requested.erase(std::unique(requested.begin(), requested.end()), requested.end());
  std::vector<std::int64_t> out;
  for (const auto g : requested) {
    const auto gi = static_cast<std::int64_t>(g);
    if (gi > committed.back())
      throw UsageError(fmt::format("--generations: generation {} of '{}' is not committed; committed: 0-{}", gi,
                                   run.string(), committed.back()));
    out.push_back(gi);
  }
  return out;
}

// An empty directory for the results: refuses an existing one unless `overwrite`.
void prepare_out_dir(const fs::path& dir, bool overwrite) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!overwrite)
      throw UsageError(fmt::format("'{}' already exists; pass --overwrite to replace it, or --name to pick another",
                                   dir.string()));
    fs::remove_all(dir, ec);
    if (ec) throw UsageError(fmt::format("--overwrite: cannot remove '{}': {}", dir.string(), ec.message()));
  }
  fs::create_directories(dir, ec);
  if (ec || ::access(dir.c_str(), W_OK) != 0)
    throw UsageError(fmt::format("cannot create a writable directory '{}': {}", dir.string(),
                                 ec ? ec.message() : "permission denied"));
}

// The pieces an evaluation needs, built from one config (which must outlive them).
struct Evaluation {
  Evaluation(const Config& config, const fs::path& cache_dir)
      : device(resolve_device(config.device, config.gpu)),
        real(make_real_data(config.data)),
        learner(make_learner(config, *real, device, configured_extractor(config, device), cache_dir)) {}
  torch::Device device;
  std::unique_ptr<RealData> real;
  std::unique_ptr<Learner> learner;
};

void write_config_yaml(const fs::path& file, const Config& config, const std::vector<Override>& overrides) {
  std::string header = "# retrain eval: the config of the evaluated model";
  for (const auto& o : overrides) header += fmt::format(" --set {}={}", o.key, o.value);
  write_file_atomic(file, header + "\n" + to_yaml(config));
}

int eval_run(const fs::path& dir, const EvalOptions& o) {
  const RunDir run = RunDir::open_for_reading(dir);
  const auto overrides = eval_overrides(o, true);
  const Config config = load_config_file(run.file(run_layout::kConfigFile), overrides);
  const auto generations = selected_generations(run.committed_generations(), o.generations, dir);
  if (o.name.empty() || o.name.find('/') != std::string::npos || o.name == "." || o.name == "..")
    throw UsageError(fmt::format("--name '{}': expected a plain directory name", o.name));
  const auto out = run.file(kEvalDir) / o.name;
  Evaluation e(config, run.file("cache"));  // first, so a bad eval.extractor leaves no directory behind
  prepare_out_dir(out, o.overwrite);
  write_config_yaml(out / "config.yaml", config, overrides);
  spdlog::info("evaluating {} generation(s) of {} on {} into {}", generations.size(), dir.string(), e.device.str(),
               out.string());
  const auto rows = reevaluate_generations(run, generations, config.seed, *e.learner, out, [](const nlohmann::json& row) {
    spdlog::info("generation {}: {}", row.at("generation").get<std::int64_t>(), headline_summary(row));
  });
  std::vector<MetricRow> table;
  for (const auto& row : rows) table.push_back({{std::to_string(row.at("generation").get<std::int64_t>())}, row});
  std::cout << metric_table({"generation"}, table) << std::flush;
  spdlog::info("done: metrics in {}", (out / run_layout::kMetricsFile).string());
  return 0;
}

// Default output of a checkpoint evaluation: eval-NAME in the working directory (never inside the
// checkpoint, whose manifest lists every file it holds).
fs::path default_checkpoint_out(const fs::path& checkpoint) {
  return fs::path(fmt::format("eval-{}", fs::absolute(checkpoint).lexically_normal().filename().string()));
}

int eval_checkpoint(const fs::path& checkpoint, const EvalOptions& o) {
  // --config, else the config.yaml the checkpoint carries (scripts/convert_checkpoint.py writes one).
  const auto own = checkpoint / kCheckpointConfigFile;
  if (!o.config && !fs::is_regular_file(own))
    throw UsageError(fmt::format("eval: '{}' is a checkpoint without a {}; pass --config FILE with the data, model and "
                                 "eval settings to evaluate it with (for a generation of a run, `retrain eval RUN_DIR "
                                 "--generations N` uses the run's own)", checkpoint.string(), kCheckpointConfigFile));
  const auto overrides = eval_overrides(o, false);
  const Config config = load_config_file(o.config ? fs::path(*o.config) : own, overrides);
  Evaluation e(config, {});
  auto* diffusion = dynamic_cast<DiffusionLearner*>(e.learner.get());
  if (!diffusion)
    throw UsageError(fmt::format("eval: '{}' holds a network, which needs learner.type: diffusion (config has '{}')",
                                 checkpoint.string(), config.learner.type));
  diffusion->load_checkpoint(checkpoint);
  const fs::path out = o.out_dir ? fs::path(*o.out_dir) : default_checkpoint_out(checkpoint);
  prepare_out_dir(out, o.overwrite);
  spdlog::info("evaluating checkpoint {} on {} into {}", checkpoint.string(), e.device.str(), out.string());
  auto gen = make_generator(config.seed, 0, Stream::Eval);
  const nlohmann::json metrics = diffusion->evaluate(gen, out);
  write_config_yaml(out / "config.yaml", config, overrides);
  write_file_atomic(out / "metrics.json", metrics.dump(2) + "\n");
  for (auto it = metrics.begin(); it != metrics.end(); ++it)
    if (it->is_number()) std::cout << fmt::format("{}: {:.6g}\n", it.key(), it->get<double>());
  std::cout << std::flush;
  spdlog::info("done: metrics in {}", (out / "metrics.json").string());
  return 0;
}

}  // namespace

int eval_command(const EvalOptions& options) {
  const fs::path target(options.target);
  if (run_layout::is_run(target)) {
    if (options.config || options.out_dir)
      throw UsageError(fmt::format("eval: '{}' is a run directory: it brings its own config and writes to {}/eval/TAG "
                                   "(--config and --out-dir are for a checkpoint)", target.string(), target.string()));
    return eval_run(target, options);
  }
  if (is_checkpoint_dir(target)) return eval_checkpoint(target, options);
  throw UsageError(fmt::format("eval: '{}' is neither a run directory (config.yaml and run.json) nor a checkpoint "
                               "directory (model.safetensors or ema.safetensors)", target.string()));
}

}  // namespace retrain::cli
