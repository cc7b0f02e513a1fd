// `retrain features train --config F`: trains the built-in classifier on the labelled real images of
// data.* (all of them, or data.n), measures it on features.test_* and saves it where eval.extractor
// points, so the runs of that config compute FID / precision / recall in its feature space.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "options.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/features/classifier_store.hpp"
#include "retrain/features/classifier_training.hpp"

namespace retrain::cli {
namespace {

ImageDataset held_out_set(const Config& config) {
  DataOptions test = config.data;
  test.n = 0;
  test.xflip = false;
  test.use_labels = true;
  if (config.data.format == DataFormat::cifar10) {
    test.split = DataSplit::test;
  } else {
    if (config.features.test_path.empty())
      throw UsageError("features.test_path is empty: give the held-out images (e.g. Fashion-MNIST's t10k-images-idx3-ubyte.gz)");
    test.path = config.features.test_path;
    test.labels = config.features.test_labels;
  }
  return ImageSource::from_config(test).dataset();
}

}  // namespace

int features_train_command(const CommonOptions& options) {
  if (options.config.empty()) throw UsageError("features train: --config FILE is required");
  Config config = load_config_file(options.config, overrides_from(options));
  if (config.data.source != DataSource::image) throw UsageError("features train needs data.source: image");
  if (config.eval.extractor.empty())
    throw UsageError("eval.extractor is empty: it names the directory the classifier is written to");
  config.data.use_labels = true;
  const auto real = ImageSource::from_config(config.data);
  auto gen = make_generator(config.seed, 0, Stream::RealData);  // data.n > 0: the run's real subset
  const auto drawn = real.draw(1, config.data.n, gen);
  const ImageDataset train(real.dataset().name(), drawn.x[0], drawn.labels[0], real.dataset().num_classes());
  const auto test = held_out_set(config);
  ClassifierOptions o;
  o = config.features.classifier;
  o.device = resolve_device(config.device, config.gpu);
  spdlog::info("training the feature classifier on {} images ({} classes), testing on {}, {} epochs on {}",
               train.size(), train.num_classes(), test.size(), o.epochs, o.device.str());
  auto fit_gen = make_generator(config.seed, 0, Stream::Fit);
  const auto result = train_classifier(train, test, o, fit_gen, [](const ClassifierEpochProgress& p) {
    spdlog::info("epoch {}/{}: train loss {:.4f}, train accuracy {:.3f}", p.epoch, p.epochs, p.train_loss, p.train_accuracy);
  });
  save_classifier(config.eval.extractor, *result.classifier, result.stats);
  spdlog::info("test accuracy {:.4f}; classifier saved to {}", result.stats.test_accuracy, config.eval.extractor);
  return 0;
}

}  // namespace retrain::cli
