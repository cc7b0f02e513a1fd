// The on-disk form of a trained ImageClassifier: a directory with classifier.safetensors (the state
// dict by name) and classifier.json (architecture, training summary, CRC-32 of the weights file).
#pragma once
#include <torch/types.h>

#include <filesystem>
#include <memory>

#include "retrain/features/classifier.hpp"
#include "retrain/features/classifier_training.hpp"

namespace retrain {

inline constexpr const char* kClassifierWeightsFile = "classifier.safetensors";
inline constexpr const char* kClassifierInfoFile = "classifier.json";

// Creates `dir` and writes both files atomically, the weights first (classifier.json, written last,
// marks a complete directory).
void save_classifier(const std::filesystem::path& dir, const ImageClassifier& classifier,
                     const ClassifierTrainingStats& stats);

struct LoadedClassifier {
  std::shared_ptr<ImageClassifier> classifier;  // on the requested device, in eval mode
  ClassifierTrainingStats stats;
  std::uint32_t weights_crc32;
};

// Reads a directory written by save_classifier. UsageError naming the file and the problem: a missing
// file, unparsable JSON, a missing or non-integer architecture field, a weights file whose CRC-32 differs
// from the one recorded, or tensors that do not fit the architecture.
LoadedClassifier load_classifier(const std::filesystem::path& dir, torch::Device device);

}  // namespace retrain
