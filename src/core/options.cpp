// The registry's non-template half: value messages, range texts, YAML parsing with --set overrides,
// the tree walk that hands each key to its table, did-you-mean, and the docs table's rows.
#include "retrain/core/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "retrain/core/errors.hpp"

namespace retrain {

std::string show(const YAML::Node& node) {
  if (node.IsScalar()) {
    // A float as written from a double ("0.032000000000000001") is shown by its shortest exact form.
    const auto& text = node.Scalar();
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size() && text.find_first_of(".eE") != std::string::npos)
      return fmt::format("'{}'", value);
    return "'" + text + "'";
  }
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

YAML::Node key_value_list(const std::vector<double>& values) {
  YAML::Node n(YAML::NodeType::Sequence);
  for (double v : values) n.push_back(v);
  return option_detail::flow(n);
}

namespace option_detail {

void bad_value(const std::string& where, const std::string& path, const YAML::Node& node, const std::string& expected) {
  throw UsageError(fmt::format("{}: key '{}' expects {}, got {}", where, path, expected, show(node)));
}

std::string range_text(double lo, double hi, Open open) {
  if (lo == -kInf && hi == kInf) return "";
  const bool low_open = open == Open::low || open == Open::both, high_open = open == Open::high || open == Open::both;
  if (hi == kInf) return fmt::format("{} {}", low_open ? ">" : ">=", lo);
  if (lo == -kInf) return fmt::format("{} {}", high_open ? "<" : "<=", hi);
  return fmt::format("in {}{}, {}{}", low_open ? "(" : "[", lo, hi, high_open ? ")" : "]");
}

std::string each_at_least(double lo) { return lo == -kInf ? "" : fmt::format("each >= {}", lo); }

std::vector<double> number_list(const YAML::Node& node, const std::string& where, const std::string& path,
                                const std::string& expected, double lo) {
  if (!node.IsSequence()) bad_value(where, path, node, expected);
  std::vector<double> values;
  for (const auto& item : node) {
    auto v = convert<double>(item, where, path, expected);
    if (!std::isfinite(v) || v < lo) bad_value(where, path, node, expected);
    values.push_back(v);
  }
  return values;
}

YAML::Node flow(YAML::Node sequence) {
  sequence.SetStyle(YAML::EmitterStyle::Flow);
  return sequence;
}

namespace {

bool is_section(const std::vector<std::string>& paths, const std::string& path) {
  return std::any_of(paths.begin(), paths.end(), [&](const auto& p) { return p.rfind(path + ".", 0) == 0; });
}

std::string mark_text(const std::string& origin, const YAML::Node& node) {
  const auto m = node.Mark();
  if (m.is_null()) return origin;
  return fmt::format("{}:{}:{}", origin, m.line + 1, m.column + 1);
}

std::string unknown_key_message(const std::vector<std::string>& paths, const std::string& where, const std::string& path) {
  std::string msg = fmt::format("{}: unknown key '{}'", where, path);
  if (auto s = suggest_path(paths, path); !s.empty()) msg += fmt::format(" (did you mean '{}'?)", s);
  else msg += "; see docs/config.md or `retrain info --keys` for the keys";
  return msg;
}

void walk(const YAML::Node& node, const std::string& prefix, const OptionsYaml& yaml, const std::string& origin,
          const std::vector<std::string>& paths,
          const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& read_key) {
  if (!node.IsMap()) {
    throw UsageError(fmt::format("{}: '{}' must be a mapping of keys, got {}", mark_text(origin, node),
                                 prefix.empty() ? "<top level>" : prefix, show(node)));
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    auto it = yaml.overridden.find(path);
    const std::string where = it != yaml.overridden.end() ? it->second : mark_text(origin, kv.second);
    if (std::find(paths.begin(), paths.end(), path) != paths.end()) {
      read_key(path, kv.second, where);
    } else if (is_section(paths, path)) {
      walk(kv.second, path, yaml, origin, paths, read_key);
    } else {
      throw UsageError(unknown_key_message(paths, mark_text(origin, kv.first), path));
    }
  }
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// yaml-cpp keeps both entries of a key written twice and reads the first: refuse instead.
void reject_duplicate_keys(const YAML::Node& node, const std::string& prefix, const std::string& origin) {
  if (!node.IsMap()) return;
  std::set<std::string> seen;
  for (const auto& item : node) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : show(item.first);
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (!seen.insert(key).second)
      throw UsageError(fmt::format("{}:{}: key '{}' appears twice (which one did you mean?)", origin,
                                   item.first.Mark().line + 1, path));
    reject_duplicate_keys(item.second, path, origin);
  }
}

}  // namespace

void read_tree(const OptionsYaml& yaml, const std::string& origin, const std::vector<std::string>& paths,
               const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& read_key) {
  walk(yaml.root, "", yaml, origin, paths, read_key);
}

YAML::Node nest_paths(const std::vector<std::pair<std::string, YAML::Node>>& values) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& [path, value] : values) {
    YAML::Node cursor(root);
    std::string rest = path;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      YAML::Node child = cursor[rest.substr(0, dot)];
      cursor.reset(child);
      rest = rest.substr(dot + 1);
    }
    cursor[rest] = value;
  }
  return root;
}

std::string markdown_row(const KeyInfo& key, const YAML::Node& default_value) {
  YAML::Emitter e;
  e << YAML::Flow << default_value;
  std::string def = e.c_str();
  if (def.empty() || def == "\"\"" || def == "~") def = "\"\"";
  return fmt::format("| `{}` | {} | `{}` | {} | {} |\n", key.path, key.type, def, key.allowed, key.doc);
}

}  // namespace option_detail

Override parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError(fmt::format("--set '{}': expected key.path=value, e.g. --set loop.lambda=0.5", text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string suggest_path(const std::vector<std::string>& paths, const std::string& unknown) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  const auto leaf = [](const std::string& p) { return p.substr(p.rfind('.') + 1); };
  for (const auto& path : paths) {
    std::size_t dist = std::min(option_detail::edit_distance(unknown, path),
                                option_detail::edit_distance(leaf(unknown), leaf(path)) + 1);
    if (dist < best_d) best_d = dist, best = path;
  }
  return best_d <= std::max<std::size_t>(2, unknown.size() / 4) ? best : "";
}

OptionsYaml parse_options_yaml(const std::string& text, const std::string& origin, const std::vector<Override>& overrides,
                               const std::vector<std::string>& paths) {
  OptionsYaml yaml;
  try {
    yaml.root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw UsageError(fmt::format("{}:{}:{}: malformed YAML: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!yaml.root || yaml.root.IsNull()) yaml.root = YAML::Node(YAML::NodeType::Map);
  option_detail::reject_duplicate_keys(yaml.root, "", origin);

  for (const auto& o : overrides) {
    const std::string where = fmt::format("--set {}={}", o.key, o.value);
    if (std::find(paths.begin(), paths.end(), o.key) == paths.end())
      throw UsageError(option_detail::unknown_key_message(paths, where, o.key));
    YAML::Node value;
    try {
      value = o.literal ? YAML::Node(o.value) : YAML::Load(o.value);
    } catch (const YAML::ParserException& e) {
      throw UsageError(fmt::format("{}: the value is not valid YAML: {}", where, e.msg));
    }
    if (!value || value.IsNull()) value = YAML::Node(o.value);
    YAML::Node cursor(yaml.root);
    std::string part, rest = o.key;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      part = rest.substr(0, dot);
      rest = rest.substr(dot + 1);
      if (cursor[part] && !cursor[part].IsMap())
        throw UsageError(fmt::format("{}: '{}' in the config is not a mapping", where, part));
      YAML::Node child = cursor[part];
      cursor.reset(child);
    }
    cursor[rest] = value;
    yaml.overridden[o.key] = where;
  }
  return yaml;
}

}  // namespace retrain
