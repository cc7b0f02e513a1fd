// The data.* keys: which real data, how many samples, and for images the data set's format, path and
// preprocessing. The member initialisers are the keys' defaults; data_option_table() registers them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "retrain/core/choices.hpp"
#include "retrain/core/options.hpp"

namespace retrain {

struct DataOptions {
  DataSource source = DataSource::gaussian;
  std::string name = "8gaussians";          // toy2d: which data set
  double noise = -1;                         // toy2d: the set's noise parameter; < 0 = the reference value
  std::int64_t n = 100;                      // real samples per draw; image: 0 = the whole data set
  DataFormat format = DataFormat::idx;       // image
  std::string path;                          // image: the data set (directory, zip or IDX images file)
  std::string labels;                        // image, idx: the labels file ("" = unlabelled)
  DataSplit split = DataSplit::train;        // image, cifar10
  std::int64_t pad_to = 0;                   // image, idx: zero-pad to pad_to x pad_to
  std::int64_t resolution = 0;               // image: required resolution; 0 = any
  bool use_labels = false;                   // image: keep class labels (conditional models)
  bool class_from_subfolder = false;         // image, folder: label = first-level sub-folder
  bool xflip = false;                        // image: add mirrored copies (EDM's --xflip)
  std::int64_t dim = 1;                      // gaussian: dimension
  std::vector<double> mean;                  // gaussian: empty = zeros
  std::vector<std::vector<double>> cov;      // gaussian: empty = identity
};

const OptionTable<DataOptions>& data_option_table();

// The rules between data keys (gaussian mean/cov shapes, symmetry and definiteness; enough samples;
// an image set's path); UsageError naming the values.
void validate(const DataOptions& options);

}  // namespace retrain
