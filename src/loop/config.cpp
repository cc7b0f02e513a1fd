// The experiment's key table (the rooms' tables nested in Config, after the top-level keys), loading
// through it, and the rules between rooms.
#include "retrain/loop/config.hpp"

#include <fmt/format.h>

#include <cmath>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

using option_detail::kInf;

const OptionTable<SweepGridOptions>& sweep_option_table() {
  static const auto table = OptionTable<SweepGridOptions>()
      .texts("sweep.grid", &SweepGridOptions::grid,
        "`retrain sweep` without --grid: the grid's axes, each \"key=v1,v2,...\" (e.g. \"loop.lambda=0,0.1,1\"); "
        "the runs are every combination.");
  return table;
}

const OptionTable<Config>& config_table() {
  static const auto table = OptionTable<Config>()
      .number("seed", &Config::seed, 0, kInf,
        "Run seed. Every random stream derives from (seed, generation, purpose), so runs and resumes are reproducible.")
      .text("name", &Config::name,
        "Run name: the run directory is out/name. Empty: the config file's name without extension.")
      .text("out", &Config::out, "Parent directory of run directories.")
      .choice("device", &Config::device, "Compute device; auto picks cuda when a GPU is visible.")
      .nest(&Config::gpu, gpu_option_table())
      .nest(&Config::dist, dist_option_table())
      .nest(&Config::data, data_option_table())
      .nest(&Config::learner, learner_option_table())
      .nest(&Config::model, model_option_table())
      .nest(&Config::method, method_option_table())
      .nest(&Config::train, trainer_option_table())
      .nest(&Config::gen0, gen0_option_table())
      .nest(&Config::loop, loop_option_table())
      .nest(&Config::eval, eval_option_table())
      .nest(&Config::features, features_option_table())
      .nest(&Config::sweep, sweep_option_table());
  return table;
}

// The rules that tie one room's keys to another's.
void validate_across_rooms(const Config& c) {
  const auto fail = [](const std::string& msg) { throw UsageError(msg); };
  const bool image = c.data.source == DataSource::image;
  if (image) {
    if (c.learner.type != LearnerType::diffusion) fail("data.source: image needs learner.type: diffusion");
    if (c.model.arch == Arch::mlp) fail(
        "data.source: image needs an image network: model.arch: ddpmpp, ncsnpp or ddpm_unet");
  } else if (c.learner.type == LearnerType::diffusion && c.model.arch != Arch::mlp) {
    fail(fmt::format("model.arch: {} is an image network; data.source: {} gives points (use model.arch: mlp)",
                     choice_name(c.model.arch), choice_name(c.data.source)));
  }
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
  if (!c.eval.extractor.empty() && !image)
    fail(fmt::format("eval.extractor is for images; data.source is '{}'", choice_name(c.data.source)));
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
  const auto synthetic = static_cast<std::int64_t>(std::floor(c.loop.lambda * static_cast<double>(c.data.n)));
  if (c.loop.real == RealMode::none && synthetic < 2 && c.data.n > 0)
    fail(fmt::format("loop.real: none trains on floor(loop.lambda * data.n) = floor({} * {}) = {} synthetic "
                     "samples; at least 2 are needed to fit a model", c.loop.lambda, c.data.n, synthetic));
}

}  // namespace

const std::vector<KeySpec>& config_keys() { return config_table().keys(); }

void validate(const Config& c) {
  validate(c.data);
  validate(c.learner);
  validate(c.model);
  validate(c.method);
  validate(c.train);
  validate(c.loop.correction);
  validate(c.eval);
  validate_across_rooms(c);
}

Config load_config_text(const std::string& yaml_text, const std::string& origin,
                        const std::vector<Override>& overrides) {
  const auto yaml = parse_options_yaml(yaml_text, origin, overrides, key_paths(config_table()));
  Config config;
  read_options(config_table(), yaml, origin, config);
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
  YAML::Emitter out;
  out << write_options(config_table(), config);
  return std::string(out.c_str()) + "\n";
}

std::string config_hash(const Config& config) { return hex32(crc32_bytes(to_yaml(config))); }

std::vector<std::string> config_differences(const Config& a, const Config& b) {
  return option_differences(config_table(), a, b);
}

std::string config_reference_markdown() { return options_markdown(config_table()); }

std::string suggest_key(const std::string& unknown) { return suggest_path(key_paths(config_table()), unknown); }

}  // namespace retrain
