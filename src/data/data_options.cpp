// The data.* keys (data_options.hpp) and the rules between them.
#include "retrain/data/data_options.hpp"

#include <fmt/format.h>

#include <cmath>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

using option_detail::kInf;

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

}  // namespace

const OptionTable<DataOptions>& data_option_table() {
  static const auto table = OptionTable<DataOptions>()
      .choice("data.source", &DataOptions::source,
        "Real data source. gaussian: N(data.mean, data.cov) in data.dim dimensions; toy2d: a 2-D toy set "
        "(data.name); "
        "image: an image data set (data.format, data.path).")
      .text("data.name", &DataOptions::name,
        "toy2d: 8gaussians, 2spirals, checkerboard, moons, circles, pinwheel, swissroll or rings (FFJORD's sets).")
      .number("data.noise", &DataOptions::noise, -1, kInf,
        "toy2d: the set's noise parameter (e.g. 8gaussians' per-mode std before scaling); -1 = the reference value.")
      .number("data.n", &DataOptions::n, 0, kInf,
        "n: number of real samples the model is trained on (image: a seeded subset of the data set; 0 = all of it).")
      .choice("data.format", &DataOptions::format,
        "image: cifar10 (the binary distribution's directory), edm (dataset_tool zip or folder with dataset.json), "
        "folder (PNG/JPEG files), idx (MNIST/Fashion-MNIST images file, .gz or raw).")
      .text("data.path", &DataOptions::path,
        "image: the data set: cifar-10-batches-bin directory, zip/folder, image folder, or IDX images file.")
      .text("data.labels", &DataOptions::labels, "image, idx: the IDX labels file; \"\" = unlabelled.")
      .choice("data.split", &DataOptions::split, "image, cifar10: data_batch_1..5 (train) or test_batch (test).")
      .number("data.pad_to", &DataOptions::pad_to, 0, kInf,
        "image, idx: zero-pad (black) each image, centred, to pad_to x pad_to (28 -> 32 for the UNets); 0 = no "
        "padding.")
      .number("data.resolution", &DataOptions::resolution, 0, kInf,
        "image: every image must be resolution x resolution; 0 = no check.")
      .flag("data.use_labels", &DataOptions::use_labels,
        "image: keep class labels and train a class-conditional model.")
      .flag("data.class_from_subfolder", &DataOptions::class_from_subfolder,
        "image, folder: the class of an image is its first-level sub-folder (sorted names).")
      .flag("data.xflip", &DataOptions::xflip, "image: add a mirrored copy of every real image (EDM's --xflip).")
      .number("data.dim", &DataOptions::dim, 1, 4096,
        "gaussian: dimension d.")
      .numbers("data.mean", &DataOptions::mean, "gaussian: true mean, d numbers; [] means zeros.")
      .matrix("data.cov", &DataOptions::cov,
        "gaussian: true covariance, d rows of d numbers, symmetric positive definite; [] means identity.");
  return table;
}

void validate(const DataOptions& c) {
  check_ranges(data_option_table(), c, "data");
  const auto fail = [](const std::string& msg) { throw UsageError(msg); };
  const auto d = static_cast<std::size_t>(c.dim);
  if (c.source == DataSource::gaussian) {
    if (!c.mean.empty() && c.mean.size() != d)
      fail(fmt::format(
        "data.mean has {} entries but data.dim is {}; give {} numbers or [] for zeros", c.mean.size(), d, d));
    if (!c.cov.empty()) {
      if (c.cov.size() != d)
        fail(fmt::format("data.cov has {} rows but data.dim is {}; give a {}x{} matrix or [] for identity",
                         c.cov.size(), d, d, d));
      for (std::size_t i = 0; i < d; ++i) {
        if (c.cov[i].size() != d) fail(fmt::format(
            "data.cov row {} has {} entries; expected {}", i, c.cov[i].size(), d));
        for (std::size_t j = 0; j < i; ++j)
          if (std::abs(c.cov[i][j] - c.cov[j][i]) > 1e-12 * (1 + std::abs(c.cov[i][j])))
            fail(fmt::format("data.cov is not symmetric: [{}][{}] = {} but [{}][{}] = {}", i, j, c.cov[i][j], j, i,
                             c.cov[j][i]));
      }
      if (!positive_definite(c.cov)) fail("data.cov must be positive definite (its Cholesky factorisation fails)");
    }
  }
  const bool image = c.source == DataSource::image;
  if (!image && c.n < 2)
    fail(fmt::format("data.n = {}: at least 2 real samples are needed (0 means the whole data set only for "
                     "data.source: image)", c.n));
  if (image && c.path.empty()) fail("data.source: image needs data.path (the data set's file or directory)");
}

}  // namespace retrain
