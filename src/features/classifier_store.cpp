// save_classifier / load_classifier: the two files of a classifier directory and every check on the
// way back in.
#include "retrain/features/classifier_store.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/models/state_dict.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

std::int64_t require_integer(const nlohmann::json& object, const char* key, const fs::path& file) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer())
    throw UsageError(fmt::format("'{}': \"architecture\" lacks the integer field \"{}\"", file.string(), key));
  return it->get<std::int64_t>();
}

nlohmann::json read_info(const fs::path& file) {
  if (!fs::is_regular_file(file)) throw UsageError(fmt::format("classifier file '{}' is missing", file.string()));
  auto info = nlohmann::json::parse(read_file(file), nullptr, /*allow_exceptions=*/false);
  if (!info.is_object()) throw UsageError(fmt::format("'{}' is not valid JSON or not an object", file.string()));
  if (!info.contains("architecture") || !info["architecture"].is_object())
    throw UsageError(fmt::format("'{}' lacks the \"architecture\" object", file.string()));
  if (!info.contains("weights_crc32") || !info["weights_crc32"].is_string())
    throw UsageError(fmt::format("'{}' lacks the string field \"weights_crc32\"", file.string()));
  return info;
}

std::shared_ptr<ImageClassifier> build_classifier(const ClassifierArchitecture& architecture, const fs::path& file) {
  try {
    return std::make_shared<ImageClassifier>(architecture);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("'{}': {}", file.string(), e.what()));
  }
}

}  // namespace

void save_classifier(const fs::path& dir, const ImageClassifier& classifier, const ClassifierTrainingStats& stats) {
  fs::create_directories(dir);
  const auto weights = dir / kClassifierWeightsFile;
  save_safetensors(weights, state_dict(classifier));
  const auto& a = classifier.architecture();
  const nlohmann::json info = {
      {"architecture",
       {{"channels", a.channels}, {"resolution", a.resolution}, {"num_classes", a.num_classes},
        {"feature_dim", a.feature_dim}}},
      {"test_accuracy", stats.test_accuracy},
      {"train_size", stats.train_size},
      {"test_size", stats.test_size},
      {"epochs", stats.epochs},
      {"steps", stats.steps},
      {"final_train_loss", stats.final_train_loss},
      {"training_seconds", stats.seconds},
      {"weights_crc32", hex32(crc32_file(weights))},
  };
  write_file_atomic(dir / kClassifierInfoFile, info.dump(2) + "\n");
}

LoadedClassifier load_classifier(const fs::path& dir, torch::Device device) {
  const auto info_file = dir / kClassifierInfoFile, weights_file = dir / kClassifierWeightsFile;
  const auto info = read_info(info_file);
  const auto& arch = info["architecture"];
  const ClassifierArchitecture architecture{require_integer(arch, "channels", info_file),
                                            require_integer(arch, "resolution", info_file),
                                            require_integer(arch, "num_classes", info_file),
                                            require_integer(arch, "feature_dim", info_file)};
  if (!fs::is_regular_file(weights_file))
    throw UsageError(fmt::format("classifier file '{}' is missing", weights_file.string()));
  LoadedClassifier loaded{build_classifier(architecture, info_file), {}, crc32_file(weights_file)};
  const auto recorded = info["weights_crc32"].get<std::string>();
  if (hex32(loaded.weights_crc32) != recorded)
    throw UsageError(fmt::format("'{}' has CRC-32 {}, but '{}' records {}: the two files do not belong together",
                                 weights_file.string(), hex32(loaded.weights_crc32), info_file.string(), recorded));
  try {
    load_state_dict(*loaded.classifier, load_safetensors(weights_file), weights_file);
  } catch (const std::runtime_error& e) {
    throw UsageError(fmt::format("classifier in '{}' does not match its architecture: {}", dir.string(), e.what()));
  }
  loaded.classifier->to(device);
  loaded.classifier->eval();
  auto& s = loaded.stats;
  s.test_accuracy = info.value("test_accuracy", 0.0);
  s.train_size = info.value("train_size", std::int64_t{0});
  s.test_size = info.value("test_size", std::int64_t{0});
  s.epochs = info.value("epochs", std::int64_t{0});
  s.steps = info.value("steps", std::int64_t{0});
  s.final_train_loss = info.value("final_train_loss", 0.0);
  s.seconds = info.value("training_seconds", 0.0);
  return loaded;
}

}  // namespace retrain
