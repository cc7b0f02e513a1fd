// Config loading: YAML -> typed Config through the key table (config_keys.cpp), then the rules that
// tie keys together; the resolved-config writer and the reference docs come from the same table.
#include "retrain/core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <limits>
#include <set>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/config_keys.hpp"

namespace retrain {
namespace {

const KeySpec* find_spec(const std::string& path) {
  for (const auto& s : config_keys())
    if (s.path == path) return &s;
  return nullptr;
}

bool is_section(const std::string& path) {
  for (const auto& s : config_keys())
    if (s.path.rfind(path + ".", 0) == 0) return true;
  return false;
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

std::string unknown_key_message(const std::string& where, const std::string& path) {
  std::string msg = fmt::format("{}: unknown key '{}'", where, path);
  if (auto s = suggest_key(path); !s.empty()) msg += fmt::format(" (did you mean '{}'?)", s);
  else msg += "; see docs/config.md or `retrain info --keys` for the keys";
  return msg;
}

std::string mark_text(const std::string& origin, const YAML::Node& node) {
  const auto m = node.Mark();
  if (m.is_null()) return origin;
  return fmt::format("{}:{}:{}", origin, m.line + 1, m.column + 1);
}

void read_tree(const YAML::Node& node, const std::string& prefix, Config& config, const std::string& origin,
               const std::map<std::string, std::string>& overridden) {
  if (!node.IsMap()) {
    throw UsageError(fmt::format("{}: '{}' must be a mapping of keys, got {}", mark_text(origin, node),
                                 prefix.empty() ? "<top level>" : prefix, show(node)));
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    auto it = overridden.find(path);
    const std::string where = it != overridden.end() ? it->second : mark_text(origin, kv.second);
    if (const KeySpec* spec = find_spec(path)) {
      spec->read(config, kv.second, where);
    } else if (is_section(path)) {
      read_tree(kv.second, path, config, origin, overridden);
    } else {
      throw UsageError(unknown_key_message(mark_text(origin, kv.first), path));
    }
  }
}

// Cholesky test for symmetric positive definiteness.
bool positive_definite(const std::vector<std::vector<double>>& a) {
  const std::size_t n = a.size();
  std::vector<std::vector<double>> l(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = a[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      if (i == j) {
        if (s <= 0) return false;
        l[i][i] = std::sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  return true;
}

// The samplers each method has: ddpm ancestral | ddim, edm and cfm euler | heun ("default" fits all).
bool sampler_fits_method(SamplerChoice sampler, MethodType method) {
  switch (sampler) {
    case SamplerChoice::method_default: return true;
    case SamplerChoice::ancestral:
    case SamplerChoice::ddim: return method == MethodType::ddpm;
    case SamplerChoice::euler:
    case SamplerChoice::heun: return method != MethodType::ddpm;
  }
  return false;
}

std::string samplers_of(MethodType method) {
  return method == MethodType::ddpm ? "default, ancestral or ddim" : "default, euler or heun";
}

void validate(const Config& c) {
  const auto fail = [](const std::string& msg) { throw UsageError(msg); };
  const auto d = static_cast<std::size_t>(c.data.dim);
  if (c.data.source == DataSource::gaussian) {
    if (!c.data.mean.empty() && c.data.mean.size() != d)
      fail(fmt::format("data.mean has {} entries but data.dim is {}; give {} numbers or [] for zeros",
                       c.data.mean.size(), d, d));
    if (!c.data.cov.empty()) {
      if (c.data.cov.size() != d)
        fail(fmt::format("data.cov has {} rows but data.dim is {}; give a {}x{} matrix or [] for identity",
                         c.data.cov.size(), d, d, d));
      for (std::size_t i = 0; i < d; ++i) {
        if (c.data.cov[i].size() != d)
          fail(fmt::format("data.cov row {} has {} entries; expected {}", i, c.data.cov[i].size(), d));
        for (std::size_t j = 0; j < i; ++j)
          if (std::abs(c.data.cov[i][j] - c.data.cov[j][i]) > 1e-12 * (1 + std::abs(c.data.cov[i][j])))
            fail(fmt::format("data.cov is not symmetric: [{}][{}] = {} but [{}][{}] = {}", i, j, c.data.cov[i][j],
                             j, i, c.data.cov[j][i]));
      }
      if (!positive_definite(c.data.cov)) fail("data.cov must be positive definite (its Cholesky factorisation fails)");
    }
  }
  const bool image = c.data.source == DataSource::image;
  if (!image && c.data.n < 2)
    fail(fmt::format("data.n = {}: at least 2 real samples are needed (0 means the whole data set only for "
                     "data.source: image)", c.data.n));
  if (image) {
    if (c.data.path.empty()) fail("data.source: image needs data.path (the data set's file or directory)");
    if (c.learner.type != LearnerType::diffusion) fail("data.source: image needs learner.type: diffusion");
    if (c.model.arch == Arch::mlp) fail("data.source: image needs an image network: model.arch: ddpmpp, ncsnpp or ddpm_unet");
  } else if (c.learner.type == LearnerType::diffusion && c.model.arch != Arch::mlp) {
    fail(fmt::format("model.arch: {} is an image network; data.source: {} gives points (use model.arch: mlp)",
                     choice_name(c.model.arch), choice_name(c.data.source)));
  }
  if (c.train.batch % c.train.accumulate != 0)
    fail(fmt::format("train.batch = {} is not divisible by train.accumulate = {}; each pass trains batch / accumulate "
                     "images", c.train.batch, c.train.accumulate));
  const auto& corr = c.loop.correction;
  const bool corrects_images = corr.type == CorrectionType::kmeans || corr.type == CorrectionType::torchscript;
  const bool corrects_points = corr.type == CorrectionType::oracle_mixture || corr.type == CorrectionType::nearest_mode;
  if (corrects_images && !image)
    fail(fmt::format("loop.correction.type: {} corrects images; data.source is '{}'", choice_name(corr.type),
                     choice_name(c.data.source)));
  if (corrects_points && image)
    fail(fmt::format("loop.correction.type: {} needs a point source; for images use kmeans or torchscript",
                     choice_name(corr.type)));
  if (corr.type == CorrectionType::kmeans && corr.space == CorrectionSpace::features && c.eval.extractor.empty())
    fail("loop.correction.space: features needs eval.extractor (the feature network)");
  if (corr.type == CorrectionType::torchscript && corr.module.empty())
    fail("loop.correction.type: torchscript needs loop.correction.module (the module file)");
  if (!c.eval.extractor.empty() && !image)
    fail(fmt::format("eval.extractor is for images; data.source is '{}'", choice_name(c.data.source)));
  if (!c.eval.reference_stats.empty() && c.eval.extractor.empty())
    fail(fmt::format("eval.reference_stats = '{}' needs eval.extractor (the network whose features those statistics "
                     "summarise, e.g. inception-2015-12-05.pt)", c.eval.reference_stats));
  if (c.method.guidance != 1.0 && !c.data.use_labels)
    fail(fmt::format("method.guidance = {} needs a conditional model (data.use_labels: true)", c.method.guidance));
  const bool song_unet = c.model.arch == Arch::ddpmpp || c.model.arch == Arch::ncsnpp;
  if (c.model.label_dropout > 0 && !(c.data.use_labels && song_unet))
    fail(fmt::format("model.label_dropout = {} needs data.use_labels: true and model.arch ddpmpp or ncsnpp",
                     c.model.label_dropout));
  if (c.learner.type == LearnerType::gaussian && c.data.source != DataSource::gaussian)
    fail(fmt::format("learner.type: gaussian needs data.source: gaussian, got '{}'", choice_name(c.data.source)));
  if (!c.gen0.checkpoint.empty() && c.learner.type != LearnerType::diffusion)
    fail(fmt::format("gen0.checkpoint = '{}' needs learner.type: diffusion (the {} learner fits in one go)",
                     c.gen0.checkpoint, choice_name(c.learner.type)));
  if (c.learner.type == LearnerType::diffusion && c.learner.replicas != 1)
    fail(fmt::format("learner.replicas = {}: the diffusion learner runs one chain; set learner.replicas: 1 and "
                     "repeat runs with different seeds", c.learner.replicas));
  if (c.model.embedding_dim % 2 != 0)
    fail(fmt::format("model.embedding_dim = {} must be even (cos and sin halves)", c.model.embedding_dim));
  if (c.method.ddpm.beta_end < c.method.ddpm.beta_start)
    fail(fmt::format("method.ddpm.beta_end = {} is below beta_start = {}", c.method.ddpm.beta_end, c.method.ddpm.beta_start));
  if (c.model.arch == Arch::ddpm_unet && c.model.channels % 32 != 0)
    fail(fmt::format("model.channels = {}: ddpm_unet needs a multiple of 32 (GroupNorm with 32 groups)",
                     c.model.channels));
  if (c.model.arch != Arch::mlp && c.model.channels < 4)
    fail(fmt::format("model.channels = {}: the image networks need at least 4", c.model.channels));
  if (!sampler_fits_method(c.method.sampler, c.method.type))
    fail(fmt::format("method.sampler: {} does not fit method.type: {}; {} takes {}", choice_name(c.method.sampler),
                     choice_name(c.method.type), choice_name(c.method.type), samplers_of(c.method.type)));
  if (c.method.type == MethodType::ddpm && c.method.steps > 0) {
    const auto T = c.method.ddpm.timesteps;
    if (c.method.steps > T)
      fail(fmt::format("method.steps = {} exceeds method.ddpm.timesteps = {}", c.method.steps, T));
    if (c.method.sampler != SamplerChoice::ddim && c.method.steps != T)
      fail(fmt::format("method.steps = {}: DDPM ancestral sampling runs all method.ddpm.timesteps = {} steps; "
                       "fewer steps need method.sampler: ddim", c.method.steps, T));
  }
  if (c.model.augment_dim > 0 && c.model.arch == Arch::ddpm_unet)
    fail(fmt::format("model.augment_dim = {} applies to model.arch ddpmpp or ncsnpp, not ddpm_unet", c.model.augment_dim));
  if (c.method.edm.sigma_max <= c.method.edm.sigma_min)
    fail(fmt::format("method.edm.sigma_max = {} must exceed sigma_min = {}", c.method.edm.sigma_max, c.method.edm.sigma_min));
  const auto synthetic = static_cast<std::int64_t>(std::floor(c.loop.lambda * static_cast<double>(c.data.n)));
  if (c.loop.real == RealMode::none && synthetic < 2 && c.data.n > 0)
    fail(fmt::format("loop.real: none trains on floor(loop.lambda * data.n) = floor({} * {}) = {} synthetic "
                     "samples; at least 2 are needed to fit a model",
                     c.loop.lambda, c.data.n, synthetic));
  if (c.loop.correction.type == CorrectionType::none && c.loop.correction.gamma != 0)
    fail(fmt::format("loop.correction.gamma = {} has no effect with loop.correction.type: none; "
                     "set loop.correction.type: oracle_mixture or gamma: 0",
                     c.loop.correction.gamma));
}

}  // namespace

Override parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError(fmt::format("--set '{}': expected key.path=value, e.g. --set loop.lambda=0.5", text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string suggest_key(const std::string& unknown) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  const auto leaf = [](const std::string& p) { return p.substr(p.rfind('.') + 1); };
  for (const auto& s : config_keys()) {
    std::size_t dist = std::min(edit_distance(unknown, s.path), edit_distance(leaf(unknown), leaf(s.path)) + 1);
    if (dist < best_d) best_d = dist, best = s.path;
  }
  return best_d <= std::max<std::size_t>(2, unknown.size() / 4) ? best : "";
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

Config load_config_text(const std::string& yaml_text, const std::string& origin,
                        const std::vector<Override>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw UsageError(fmt::format("{}:{}:{}: malformed YAML: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  reject_duplicate_keys(root, "", origin);

  std::map<std::string, std::string> overridden;
  for (const auto& o : overrides) {
    const std::string where = fmt::format("--set {}={}", o.key, o.value);
    if (!find_spec(o.key)) throw UsageError(unknown_key_message(where, o.key));
    YAML::Node value;
    try {
      value = o.literal ? YAML::Node(o.value) : YAML::Load(o.value);
    } catch (const YAML::ParserException& e) {
      throw UsageError(fmt::format("{}: the value is not valid YAML: {}", where, e.msg));
    }
    if (!value || value.IsNull()) value = YAML::Node(o.value);
    YAML::Node cursor(root);
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
    overridden[o.key] = where;
  }

  Config config;
  read_tree(root, "", config, origin, overridden);
  validate(config);
  return config;
}

Config load_config_file(const std::filesystem::path& path, const std::vector<Override>& overrides) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("cannot read config file '{}': {}", path.string(), e.what()));
  }
  Config config = load_config_text(text, path.string(), overrides);
  if (config.name.empty()) config.name = path.stem().string();
  return config;
}

std::string to_yaml(const Config& config) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& s : config_keys()) {
    YAML::Node cursor(root);
    std::string rest = s.path;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      YAML::Node child = cursor[rest.substr(0, dot)];
      cursor.reset(child);
      rest = rest.substr(dot + 1);
    }
    cursor[rest] = s.write(config);
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::string config_hash(const Config& config) { return hex32(crc32_bytes(to_yaml(config))); }

std::vector<std::string> config_differences(const Config& a, const Config& b) {
  std::vector<std::string> differences;
  for (const auto& s : config_keys()) {
    const auto before = show(s.write(a)), after = show(s.write(b));
    if (before != after) differences.push_back(fmt::format("{}: {} -> {}", s.path, before, after));
  }
  return differences;
}

std::string config_reference_markdown() {
  const Config defaults;
  std::string md = "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const auto& s : config_keys()) {
    YAML::Emitter e;
    e << YAML::Flow << s.write(defaults);
    std::string def = e.c_str();
    if (def.empty() || def == "\"\"" || def == "~") def = "\"\"";
    md += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", s.path, s.type, def, s.allowed, s.doc);
  }
  return md;
}

std::int64_t images_from_kimg(double kimg) { return static_cast<std::int64_t>(std::llround(kimg * 1000)); }

}  // namespace retrain
