// One default per key. Each key is bound (core/options.hpp) to one member of one options struct, whose
// initialiser is the key's default; docs/config.md is generated from those defaults
// (Config.DocsListEveryKeyWithItsDefault checks the page). Here the options headers themselves are
// read: no options struct other than the key's own may declare a field of the key's name with the key's
// default (a second struct carrying a copy, as config.hpp and edm.hpp once both carried
// sigma_data = 0.5, fails), and the defaults the issue names are written once in the whole source tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "retrain/loop/config.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> sources(const std::vector<std::string>& extensions) {
  std::vector<fs::path> files;
  for (const char* dir : {"include", "src"})
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(test::kSourceDir) / dir))
      for (const auto& ext : extensions)
        if (entry.path().extension() == ext) files.push_back(entry.path());
  return files;
}

std::string leaf(const std::string& path) { return path.substr(path.rfind('.') + 1); }

// The names of the structs that have a key table (OptionTable<Name> anywhere in the sources).
std::set<std::string> registered_structs() {
  std::set<std::string> names;
  const std::regex table(R"(OptionTable<(\w+)>)");
  for (const auto& file : sources({".hpp", ".cpp"})) {
    const auto text = test::read_text(file);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), table); it != std::sregex_iterator(); ++it)
      if ((*it)[1] != "T" && (*it)[1] != "S") names.insert((*it)[1]);
  }
  return names;
}

struct Declaration {
  std::string where;        // "EdmOptions in edm.hpp"
  std::string initialiser;  // normalised: a number, an enumerator's or identifier's last name, a [list]
};

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  const auto last = text.find_last_not_of(" \t");
  return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

// "DdpmSampler::ancestral" -> "ancestral", "{16}" -> "[16]", "\"\"" -> "", "0.5" stays.
std::string normalise(std::string value) {
  value = trim(value);
  if (value.size() >= 2 && value.front() == '{' && value.back() == '}') return "[" + value.substr(1, value.size() - 2) + "]";
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') return value.substr(1, value.size() - 2);
  if (const auto colons = value.rfind("::"); colons != std::string::npos) return value.substr(colons + 2);
  return value;
}

bool same_value(const std::string& a, const std::string& b) {
  try {
    std::size_t used_a = 0, used_b = 0;
    const double x = std::stod(a, &used_a), y = std::stod(b, &used_b);
    if (used_a == a.size() && used_b == b.size()) return x == y;
  } catch (const std::exception&) {
  }
  return a == b;
}

// Member name -> its declarations with an initialiser, over the bodies of the registered structs.
std::map<std::string, std::vector<Declaration>> declared_members(const std::set<std::string>& structs) {
  std::map<std::string, std::vector<Declaration>> members;
  const std::regex declarator(R"((\w+)\s*=\s*([^,;]+|\{[^}]*\}))");
  for (const auto& file : sources({".hpp"})) {
    const auto text = test::read_text(file);
    for (const auto& name : structs) {
      const auto start = text.find("struct " + name + " {");
      if (start == std::string::npos) continue;
      int depth = 0;
      std::size_t end = text.find('{', start);
      for (std::size_t i = end; i < text.size(); ++i) {
        depth += text[i] == '{' ? 1 : text[i] == '}' ? -1 : 0;
        if (depth == 0) {
          end = i;
          break;
        }
      }
      std::istringstream body(text.substr(text.find('{', start) + 1, end - text.find('{', start) - 1));
      for (std::string line; std::getline(body, line);) {
        line = line.substr(0, line.find("//"));
        if (line.find('(') != std::string::npos || line.find(';') == std::string::npos) continue;  // functions
        for (auto it = std::sregex_iterator(line.begin(), line.end(), declarator); it != std::sregex_iterator(); ++it)
          members[(*it)[1]].push_back({name + " in " + file.filename().string(), normalise((*it)[2])});
      }
    }
  }
  return members;
}

TEST(OneDefault, NoSecondOptionsStructCarriesAKeysFieldWithItsDefault) {
  const auto structs = registered_structs();
  for (const char* expected : {"Config", "MethodOptions", "EdmOptions", "TrainerOptions", "DataOptions", "ModelOptions"})
    ASSERT_TRUE(structs.contains(expected)) << expected << " has no key table any more: update this test";
  const auto members = declared_members(structs);
  ASSERT_TRUE(members.contains("sigma_data")) << "the scan of the options headers found nothing";
  // (name, default) -> how many keys have that leaf name and that default.
  std::map<std::pair<std::string, std::string>, int> keys_named;
  for (const auto& key : config_keys()) {
    auto value = show(key.write(Config{}));
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') value = value.substr(1, value.size() - 2);
    ++keys_named[{leaf(key.path), value}];
  }
  for (const auto& [key, count] : keys_named) {
    const auto& [name, value] = key;
    const auto found = members.find(name);
    if (found == members.end()) continue;  // bound to a member of another name (e.g. train.batch -> batch_size)
    std::vector<std::string> copies;
    for (const auto& d : found->second)
      if (same_value(d.initialiser, value)) copies.push_back(d.where);
    EXPECT_LE(static_cast<int>(copies.size()), count)
        << "'" << name << " = " << value << "' (the default of " << count << " key(s)) is declared in "
        << testing::PrintToString(copies);
  }
}

TEST(OneDefault, TheNamedDefaultsAreWrittenOnceInTheSources) {
  // The issue's examples, each as its table writes the default.
  for (const char* path : {"method.edm.sigma_data", "method.edm.p_mean", "method.edm.p_std", "train.lr"}) {
    const auto* key = [&]() -> const KeySpec* {
      for (const auto& k : config_keys())
        if (k.path == path) return &k;
      return nullptr;
    }();
    ASSERT_NE(key, nullptr) << path;
    const double value = key->write(Config{}).as<double>();
    const std::regex assignment("\\b" + leaf(path) + R"(\s*=\s*(-?[0-9][0-9.eE+-]*)\b)");
    std::vector<std::string> places;
    for (const auto& file : sources({".hpp", ".cpp"})) {
      const auto text = test::read_text(file);
      for (auto it = std::sregex_iterator(text.begin(), text.end(), assignment); it != std::sregex_iterator(); ++it)
        if (std::stod((*it)[1]) == value) places.push_back(file.filename().string());
    }
    EXPECT_EQ(places.size(), 1u) << path << " = " << value << " is written in: " << testing::PrintToString(places);
  }
}

}  // namespace
}  // namespace retrain
