// The real distribution as the generation loop sees it: draws of samples with optional class labels.
// Point sources (Gaussian, toy 2-D sets) and image data sets both provide one.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace retrain {

struct DataOptions;
class PointSource;

// Samples and their classes: x [replicas, N, ...]; labels int64 [replicas, N], or undefined.
struct SampleSet {
  torch::Tensor x;
  torch::Tensor labels;
};

// The run's fixed real training set: n samples (data.n) drawn with the run seed's RealData stream, as
// the generation loop draws them for generation 0.
struct RealDraw {
  std::uint64_t seed;
  std::int64_t n;
};

// The sets joined along the sample dimension (1); labels only when every part has them.
SampleSet concat_samples(const std::vector<SampleSet>& parts);

class RealData {
 public:
  virtual ~RealData() = default;
  // `replicas` independent draws of `n` samples (images: n = 0 draws the whole data set), on the CPU.
  virtual SampleSet draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const = 0;
  // One line for logs.
  virtual std::string describe() const = 0;
  // The point source behind this, if any (oracle corrections and point metrics need it).
  virtual const PointSource* points() const { return nullptr; }
};

// data.source -> RealData (image data sets are read here; errors name the path and what is wrong).
std::unique_ptr<RealData> make_real_data(const DataOptions& config);

}  // namespace retrain
