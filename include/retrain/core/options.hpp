// The generic registry of config keys. A room declares its options struct (one default per member, in
// the member initialiser) and beside it an OptionTable that binds each key path to a member with its
// type, range or choices and documentation; tables of inner structs nest into the table of the struct
// that holds them, up to the experiment's Config (loop/config.hpp). From a table come reading YAML
// (type and range checked once, here), writing it back, the docs table and did-you-mean.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "retrain/core/choices.hpp"

namespace retrain {

// Which ends of a number's range are excluded (e.g. a learning rate > 0, Adam's beta < 1).
enum class Open { none, low, high, both };

// What a key is, whatever struct holds it.
struct KeyInfo {
  std::string path, type, allowed, doc;
  // Numbers: the smallest and the largest value the key accepts, where finite (an open end gives the
  // nearest value inside), so tests can hand every component the extremes the config lets through.
  std::optional<double> smallest, largest;
};

template <class T>
struct OptionKey : KeyInfo {
  // Reads the key's YAML value into `options`; UsageError naming `where` (file:line or --set), the key,
  // the value and what was expected.
  std::function<void(T& options, const YAML::Node& value, const std::string& where)> read;
  std::function<YAML::Node(const T&)> write;
  // Keys with a range: UsageError "<where>: key '<path>' expects <range>, got <value>" when the value
  // in `options` is outside it (the same test as read's). Empty for keys without one.
  std::function<void(const T& options, const std::string& where)> check;
};

// A YAML value as messages quote it: 'scalar' (a float by its shortest exact form) or flow style.
std::string show(const YAML::Node& node);

namespace option_detail {
inline constexpr double kInf = std::numeric_limits<double>::infinity();
[[noreturn]] void bad_value(const std::string& where, const std::string& path, const YAML::Node& node,
                            const std::string& expected);
std::string range_text(double lo, double hi, Open open);
std::string each_at_least(double lo);  // "each >= lo"; "" for -infinity
std::vector<double> number_list(const YAML::Node& node, const std::string& where, const std::string& path,
                                const std::string& expected, double lo);
YAML::Node flow(YAML::Node sequence);
}  // namespace option_detail

// A list of numbers as a flow-style YAML sequence (as messages and the resolved config show it).
YAML::Node key_value_list(const std::vector<double>& values);

namespace option_detail {

template <class V>
V convert(const YAML::Node& node, const std::string& where, const std::string& path, const std::string& expected) {
  if (!node.IsScalar()) bad_value(where, path, node, expected);
  try {
    return node.as<V>();
  } catch (const YAML::Exception&) {
    bad_value(where, path, node, expected);
  }
}
}  // namespace option_detail

template <class T>
class OptionTable {
 public:
  // A number in [lo, hi] (ends excluded per `open`; +-infinity for none).
  template <class M>
  OptionTable& number(std::string path, M T::*member, double lo, double hi, std::string doc, Open open = Open::none) {
    using namespace option_detail;
    static_assert(std::is_arithmetic_v<M>);
    const bool integral = std::is_integral_v<M>;
    const bool low_open = open == Open::low || open == Open::both, high_open = open == Open::high || open == Open::both;
    const std::string allowed = range_text(lo, hi, open);
    const std::string expected = std::string(integral ? "an integer" : "a number") + (allowed.empty() ? "" : " " + allowed);
    OptionKey<T> key{{path, integral ? "integer" : "number", allowed, std::move(doc), {}, {}}, {}, {}, {}};
    const auto in_range = [=](double v) {
      return std::isfinite(v) && !(v < lo || v > hi || (low_open && v == lo) || (high_open && v == hi));
    };
    key.read = [=](T& t, const YAML::Node& node, const std::string& where) {
      const M value = convert<M>(node, where, path, expected);
      if (!in_range(static_cast<double>(value))) bad_value(where, path, node, expected);
      t.*member = value;
    };
    key.write = [=](const T& t) { return YAML::Node(t.*member); };
    key.check = [=](const T& t, const std::string& where) {
      if (!in_range(static_cast<double>(t.*member))) bad_value(where, path, YAML::Node(t.*member), expected);
    };
    const auto inside = [&](double end, double toward, bool excluded) {
      if (!excluded) return end;
      return integral ? end + (toward > end ? 1 : -1) : std::nextafter(end, toward);
    };
    if (std::isfinite(lo)) key.smallest = inside(lo, kInf, low_open);
    if (std::isfinite(hi)) key.largest = inside(hi, -kInf, high_open);
    keys_.push_back(std::move(key));
    return *this;
  }

  OptionTable& text(std::string path, std::string T::*member, std::string doc) {
    OptionKey<T> key{{path, "string", "", std::move(doc), {}, {}}, {}, {}, {}};
    key.read = [=](T& t, const YAML::Node& node, const std::string& where) {
      t.*member = option_detail::convert<std::string>(node, where, path, "a string");
    };
    key.write = [=](const T& t) { return YAML::Node(t.*member); };
    keys_.push_back(std::move(key));
    return *this;
  }

  // An enum-like key: one of the names of its enum (choices.hpp), parsed here once.
  template <class E>
  OptionTable& choice(std::string path, E T::*member, std::string doc) {
    const std::string allowed = choice_names<E>();
    OptionKey<T> key{{path, "string", allowed, std::move(doc), {}, {}}, {}, {}, {}};
    key.read = [=](T& t, const YAML::Node& node, const std::string& where) {
      const std::string expected = "one of " + allowed;
      const auto value = parse_choice<E>(option_detail::convert<std::string>(node, where, path, expected));
      if (!value) option_detail::bad_value(where, path, node, expected);
      t.*member = *value;
    };
    key.write = [=](const T& t) { return YAML::Node(std::string(choice_name(t.*member))); };
    keys_.push_back(std::move(key));
    return *this;
  }

  OptionTable& flag(std::string path, bool T::*member, std::string doc) {
    OptionKey<T> key{{path, "boolean", "true, false", std::move(doc), {}, {}}, {}, {}, {}};
    key.read = [=](T& t, const YAML::Node& node, const std::string& where) {
      t.*member = option_detail::convert<bool>(node, where, path, "true or false");
    };
    key.write = [=](const T& t) { return YAML::Node(t.*member); };
    keys_.push_back(std::move(key));
    return *this;
  }

  // A list of numbers, each >= lo.
  OptionTable& numbers(std::string path, std::vector<double> T::*member, std::string doc,
                       double lo = -option_detail::kInf) {
    const std::string allowed = option_detail::each_at_least(lo);
    OptionKey<T> key{{path, "list of numbers", allowed, std::move(doc), {}, {}}, {}, {}, {}};
    const std::string expected = allowed.empty() ? "a list of numbers" : "a list of numbers " + allowed;
    key.read = [=](T& t, const YAML::Node& node, const std::string& where) {
      t.*member = option_detail::number_list(node, where, path, expected, lo);
    };
    key.check = [=](const T& t, const std::string& where) {
      for (double v : t.*member)
        if (!std::isfinite(v) || v < lo) option_detail::bad_value(where, path, key_value_list(t.*member), expected);
    };
    key.write = [=](const T& t) { return key_value_list(t.*member); };
    keys_.push_back(std::move(key));
    return *this;
  }

  OptionTable& texts(std::string path, std::vector<std::string> T::*member, std::string doc) {
    OptionKey<T> key{{path, "list of strings", "", std::move(doc), {}, {}}, {}, {}, {}};
    key.read = [=](T& t, const YAML::Node& node, const std::string& where) {
      const std::string expected = "a list of strings";
      if (!node.IsSequence()) option_detail::bad_value(where, path, node, expected);
      std::vector<std::string> values;
      for (const auto& item : node) values.push_back(option_detail::convert<std::string>(item, where, path, expected));
      t.*member = values;
    };
    key.write = [=](const T& t) {
      YAML::Node n(YAML::NodeType::Sequence);
      for (const auto& v : t.*member) n.push_back(v);
      return option_detail::flow(n);
    };
    keys_.push_back(std::move(key));
    return *this;
  }

  OptionTable& matrix(std::string path, std::vector<std::vector<double>> T::*member, std::string doc) {
    OptionKey<T> key{{path, "list of lists of numbers", "", std::move(doc), {}, {}}, {}, {}, {}};
    key.read = [=](T& t, const YAML::Node& node, const std::string& where) {
      const std::string expected = "a list of rows, each a list of numbers";
      if (!node.IsSequence()) option_detail::bad_value(where, path, node, expected);
      std::vector<std::vector<double>> rows;
      for (const auto& row : node)
        rows.push_back(option_detail::number_list(row, where, path, expected, -option_detail::kInf));
      t.*member = rows;
    };
    key.write = [=](const T& t) {
      YAML::Node n(YAML::NodeType::Sequence);
      for (const auto& row : t.*member) {
        YAML::Node r(YAML::NodeType::Sequence);
        for (double v : row) r.push_back(v);
        n.push_back(option_detail::flow(r));
      }
      return option_detail::flow(n);
    };
    keys_.push_back(std::move(key));
    return *this;
  }

  // Every key of `inner` (a table of the struct in `member`), reached through `member`.
  template <class S>
  OptionTable& nest(S T::*member, const OptionTable<S>& inner) {
    for (const auto& k : inner.keys()) {
      OptionKey<T> key{static_cast<const KeyInfo&>(k), {}, {}, {}};
      key.read = [member, read = k.read](T& t, const YAML::Node& node, const std::string& where) {
        read(t.*member, node, where);
      };
      key.write = [member, write = k.write](const T& t) { return write(t.*member); };
      if (k.check)
        key.check = [member, check = k.check](const T& t, const std::string& where) { check(t.*member, where); };
      keys_.push_back(std::move(key));
    }
    return *this;
  }

  const std::vector<OptionKey<T>>& keys() const { return keys_; }
  const OptionKey<T>* find(const std::string& path) const {
    for (const auto& k : keys_)
      if (k.path == path) return &k;
    return nullptr;
  }

 private:
  std::vector<OptionKey<T>> keys_;
};

// A "--set key.path=value" override, the value typed like YAML.
struct Override {
  std::string key;
  std::string value;
  bool literal = false;  // true: `value` is a plain string (paths, names), not parsed as YAML
};
// Parses "key.path=value"; UsageError when there is no '=' or the key is empty.
Override parse_override(const std::string& text);

// YAML text (`origin` names it in messages, e.g. the file path) with the overrides applied, and where
// each overridden key came from. UsageError for malformed YAML, a key written twice, an override of a
// key not in `paths`.
struct OptionsYaml {
  YAML::Node root;
  std::map<std::string, std::string> overridden;  // key -> "--set key=value"
};
OptionsYaml parse_options_yaml(const std::string& text, const std::string& origin, const std::vector<Override>& overrides,
                               const std::vector<std::string>& paths);

// The path in `paths` the user most likely meant (edit distance), or empty when nothing is close.
std::string suggest_path(const std::vector<std::string>& paths, const std::string& unknown);

namespace option_detail {
// Walks the mapping, handing each leaf to read_key(path, value, where); UsageError for a key that is
// neither in `paths` nor a section of them (with did-you-mean) and for a non-mapping section.
void read_tree(const OptionsYaml& yaml, const std::string& origin, const std::vector<std::string>& paths,
               const std::function<void(const std::string& path, const YAML::Node& value, const std::string& where)>& read_key);
// {"a.b": v, ...} as nested mappings, in the given order.
YAML::Node nest_paths(const std::vector<std::pair<std::string, YAML::Node>>& values);
std::string markdown_row(const KeyInfo& key, const YAML::Node& default_value);
}  // namespace option_detail

// Every ranged key of `options` against its range: a component built without a config (tests, tools)
// refuses what the config would; `where` names the component.
template <class T>
void check_ranges(const OptionTable<T>& table, const T& options, const std::string& where) {
  for (const auto& k : table.keys())
    if (k.check) k.check(options, where);
}

template <class T>
std::vector<std::string> key_paths(const OptionTable<T>& table) {
  std::vector<std::string> paths;
  for (const auto& k : table.keys()) paths.push_back(k.path);
  return paths;
}

// Sets every key the YAML gives in `options` (the rest keep their defaults).
template <class T>
void read_options(const OptionTable<T>& table, const OptionsYaml& yaml, const std::string& origin, T& options) {
  option_detail::read_tree(yaml, origin, key_paths(table),
                           [&](const std::string& path, const YAML::Node& value, const std::string& where) {
                             table.find(path)->read(options, value, where);
                           });
}

// Every key of `options` as nested YAML mappings, in the table's order.
template <class T>
YAML::Node write_options(const OptionTable<T>& table, const T& options) {
  std::vector<std::pair<std::string, YAML::Node>> values;
  for (const auto& k : table.keys()) values.emplace_back(k.path, k.write(options));
  return option_detail::nest_paths(values);
}

// The keys whose values differ, each as "key: A -> B" (values as messages quote them), in table order.
template <class T>
std::vector<std::string> option_differences(const OptionTable<T>& table, const T& a, const T& b) {
  std::vector<std::string> differences;
  for (const auto& k : table.keys()) {
    const auto before = show(k.write(a)), after = show(k.write(b));
    if (before != after) differences.push_back(k.path + ": " + before + " -> " + after);
  }
  return differences;
}

// Markdown table of every key: key, type, default (from a default-constructed T), allowed, meaning.
template <class T>
std::string options_markdown(const OptionTable<T>& table) {
  const T defaults{};
  std::string md = "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const auto& k : table.keys()) md += option_detail::markdown_row(k, k.write(defaults));
  return md;
}

}  // namespace retrain
