// The table of config keys, one entry per key: its path, type, allowed values and documentation, how
// it is read from YAML (type and range checked, enum names parsed) and written back. Loading,
// the resolved config, `retrain info --keys` and docs/config.md all come from this one table.
#pragma once
#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "retrain/core/config.hpp"

namespace retrain {

struct KeySpec {
  std::string path, type, allowed, doc;
  // Reads the key's YAML value into `config`; UsageError naming `where` (file:line or --set), the key,
  // the value and what was expected.
  std::function<void(Config& config, const YAML::Node& value, const std::string& where)> read;
  std::function<YAML::Node(const Config&)> write;
  // Numbers: the smallest and the largest value the key accepts, where finite (an open end gives the
  // nearest value inside), so tests can hand every component the extremes the config lets through.
  std::optional<double> smallest, largest;
};

// Every key, in the order the resolved config and the docs list them.
const std::vector<KeySpec>& config_keys();

// A YAML value as messages quote it: 'scalar' or a flow-style collection.
std::string show(const YAML::Node& node);

}  // namespace retrain
