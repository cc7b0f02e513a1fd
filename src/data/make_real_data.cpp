// data.source -> RealData: point sources wrapped, image data sets read.
#include <fmt/format.h>

#include "retrain/data/data_options.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/data/point_source.hpp"

namespace retrain {
namespace {

// A PointSource seen as RealData (no labels).
class PointData final : public RealData {
 public:
  explicit PointData(std::unique_ptr<PointSource> source) : source_(std::move(source)) {}
  SampleSet draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const override {
    return {source_->draw(replicas, n, gen), torch::Tensor()};
  }
  std::string describe() const override { return source_->describe(); }
  const PointSource* points() const override { return source_.get(); }

 private:
  std::unique_ptr<PointSource> source_;
};

}  // namespace

std::unique_ptr<RealData> make_real_data(const DataOptions& config) {
  validate(config);
  if (config.source == DataSource::image) return std::make_unique<ImageSource>(ImageSource::from_config(config));
  return std::make_unique<PointData>(make_point_source(config));
}

}  // namespace retrain
