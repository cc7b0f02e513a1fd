// The experiment configuration: a composition of the options each room owns (one default per key, in
// that room's struct), assembled here with the top-level keys; loading validates each room's options
// (its validate()) and then the rules between rooms, before any work. The key table, the resolved YAML,
// its hash and docs/config.md all come from the rooms' tables (core/options.hpp).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "retrain/core/choices.hpp"
#include "retrain/core/gpu_options.hpp"
#include "retrain/core/options.hpp"
#include "retrain/data/data_options.hpp"
#include "retrain/diffusion/method_options.hpp"
#include "retrain/dist/dist_options.hpp"
#include "retrain/features/features_options.hpp"
#include "retrain/learners/learner_options.hpp"
#include "retrain/loop/loop_options.hpp"
#include "retrain/models/model_options.hpp"
#include "retrain/train/trainer_options.hpp"

namespace retrain {

struct SweepGridOptions {
  std::vector<std::string> grid;             // `retrain sweep` axes "key=v1,v2,..." when no --grid is given
};

struct Config {
  std::uint64_t seed = 0;
  std::string name;                          // run name; empty = the config file's stem
  std::string out = "runs";                  // parent directory of run directories
  DeviceChoice device = DeviceChoice::automatic;
  GpuOptions gpu;
  DistOptions dist;
  DataOptions data;
  LearnerOptions learner;
  ModelOptions model;
  MethodOptions method;
  TrainerOptions train;
  Gen0Options gen0;
  LoopOptions loop;
  EvalOptions eval;
  FeaturesOptions features;
  SweepGridOptions sweep;
};

using KeySpec = OptionKey<Config>;
// Every key, in the order the resolved config and the docs list them.
const std::vector<KeySpec>& config_keys();

// Loads YAML text (`origin` names it in messages, e.g. the file path), applies overrides, validates
// every key and the cross-key rules. Throws UsageError naming key, position, value and what is allowed.
Config load_config_text(const std::string& yaml_text, const std::string& origin,
                        const std::vector<Override>& overrides = {});
Config load_config_file(const std::filesystem::path& path, const std::vector<Override>& overrides = {});

// Each room's validate() and the rules between rooms (e.g. the learner fits the data, an image
// correction needs images); UsageError naming the keys and values. load_config_* call it.
void validate(const Config& config);

// Canonical YAML of every key (defaults included), and its hash (hex CRC-32 of that text).
std::string to_yaml(const Config& config);
std::string config_hash(const Config& config);
// The keys whose values differ between `a` and `b`, each as "key: A -> B" (values as messages quote
// them), in the table's order; empty when the two are the same experiment (equal hashes).
std::vector<std::string> config_differences(const Config& a, const Config& b);

// Markdown table of every key: key, type, default, allowed values, meaning. docs/config.md embeds it.
std::string config_reference_markdown();

// The key the user most likely meant (edit distance), or empty when nothing is close.
std::string suggest_key(const std::string& unknown);

}  // namespace retrain
