// The typed experiment configuration. Defaults live here, in the member initialisers, and nowhere
// else; config_schema.cpp binds every key to its member with type, range and documentation.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace retrain {

struct DataConfig {
  std::string source = "gaussian";          // gaussian
  std::int64_t n = 100;                      // real samples per draw
  std::int64_t dim = 1;                      // gaussian: dimension
  std::vector<double> mean;                  // gaussian: empty = zeros
  std::vector<std::vector<double>> cov;      // gaussian: empty = identity
};

struct LearnerConfig {
  std::string type = "gaussian";             // gaussian
  std::int64_t replicas = 1;                 // independent chains run side by side
};

struct CorrectionConfig {
  std::string type = "none";                 // none | oracle_mixture
  double gamma = 0.0;                        // oracle_mixture: pi_gamma strength
};

struct LoopConfig {
  std::int64_t generations = 10;             // T retraining generations after generation 0
  double lambda = 1.0;                       // synthetic samples per generation = floor(lambda * n)
  std::string real = "fixed";                // fixed | none | fresh
  std::string synthetic = "replace";         // replace | accumulate
  CorrectionConfig correction;
};

struct EvalConfig {
  std::int64_t every = 1;                    // evaluate every k-th generation (0 and T always)
};

struct Config {
  std::uint64_t seed = 0;
  std::string name;                          // run name; empty = the config file's stem
  std::string out = "runs";                  // parent directory of run directories
  std::string device = "auto";               // cpu | cuda | auto
  DataConfig data;
  LearnerConfig learner;
  LoopConfig loop;
  EvalConfig eval;
};

// A "--set key.path=value" override, the value typed like YAML.
struct Override {
  std::string key;
  std::string value;
  bool literal = false;  // true: `value` is a plain string (paths, names), not parsed as YAML
};
// Parses "key.path=value"; UsageError when there is no '=' or the key is empty.
Override parse_override(const std::string& text);

// Loads YAML text (`origin` names it in messages, e.g. the file path), applies overrides, validates
// every key and the cross-key rules. Throws UsageError naming key, position, value and what is allowed.
Config load_config_text(const std::string& yaml_text, const std::string& origin,
                        const std::vector<Override>& overrides = {});
Config load_config_file(const std::filesystem::path& path, const std::vector<Override>& overrides = {});

// Canonical YAML of every key (defaults included), and its hash (hex CRC-32 of that text).
std::string to_yaml(const Config& config);
std::string config_hash(const Config& config);

// Markdown table of every key: key, type, default, allowed values, meaning. docs/config.md embeds it.
std::string config_reference_markdown();

// The key the user most likely meant (edit distance), or empty when nothing is close.
std::string suggest_key(const std::string& unknown);

}  // namespace retrain
