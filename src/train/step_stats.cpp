// StepStatsWindow: device-side sums, the row's arithmetic, and the CUDA allocator's peak.
#include "retrain/train/step_stats.hpp"

#include <cmath>

#ifdef RETRAIN_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace retrain {
namespace {

#ifdef RETRAIN_WITH_CUDA
constexpr double kMiB = 1 << 20;

c10::DeviceIndex cuda_index(const torch::Device& device) { return device.has_index() ? device.index() : 0; }
#endif

// The CUDA caching allocator's peak allocation since the last reset; nullopt off CUDA (or in a build
// without RETRAIN_CUDA, which cannot read it).
std::optional<double> cuda_peak_mb(const torch::Device& device) {
#ifdef RETRAIN_WITH_CUDA
  if (device.is_cuda())
    return static_cast<double>(c10::cuda::CUDACachingAllocator::getDeviceStats(cuda_index(device)).allocated_bytes[0].peak) / kMiB;
#endif
  return std::nullopt;
}

void reset_cuda_peak(const torch::Device& device) {
#ifdef RETRAIN_WITH_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(cuda_index(device));
#endif
}

}  // namespace

nlohmann::json to_json(const StepStatsRow& r) {
  nlohmann::json j = {{"step", r.step},           {"images", r.images}, {"loss_mean", r.loss_mean},
                      {"loss_std", r.loss_std},   {"grad_norm", r.grad_norm}, {"lr", r.lr},
                      {"images_per_s", r.images_per_s}};
  if (r.peak_memory_mb) j["peak_memory_mb"] = *r.peak_memory_mb;
  return j;
}

StepStatsWindow::StepStatsWindow(const torch::Device& device, const StepStatsSums& start, std::int64_t step)
    : device_(device),
      sums_(torch::tensor({start.loss, start.loss_squared, start.grad_norm}, torch::kFloat64).to(device)),
      steps_(start.steps),
      timed_from_(step),
      since_(std::chrono::steady_clock::now()) {
  reset_cuda_peak(device_);
}

void StepStatsWindow::add(const torch::Tensor& loss, const torch::Tensor& grad_norm) {
  const auto l = loss.detach().to(device_, torch::kFloat64).reshape({});
  sums_ += torch::stack({l, l * l, grad_norm.detach().to(device_, torch::kFloat64).reshape({})});
  ++steps_;
}

StepStatsSums StepStatsWindow::sums() const {
  const auto s = sums_.cpu();
  const auto* p = s.data_ptr<double>();
  return {p[0], p[1], p[2], steps_};
}

StepStatsRow StepStatsWindow::row(std::int64_t step, std::int64_t batch, double lr) {
  const auto s = sums();  // reading the sums waits for the device, so the clock below covers the work
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - since_).count();
  const double n = static_cast<double>(std::max<std::int64_t>(s.steps, 1));
  StepStatsRow r;
  r.step = step;
  r.images = step * batch;
  r.loss_mean = s.loss / n;
  r.loss_std = std::sqrt(std::max(0.0, s.loss_squared / n - r.loss_mean * r.loss_mean));
  r.grad_norm = s.grad_norm / n;
  r.lr = lr;
  r.images_per_s = seconds > 0 ? static_cast<double>((step - timed_from_) * batch) / seconds : 0.0;
  r.peak_memory_mb = cuda_peak_mb(device_);
  sums_.zero_();
  steps_ = 0;
  timed_from_ = step;
  since_ = now;
  reset_cuda_peak(device_);
  return r;
}

}  // namespace retrain
