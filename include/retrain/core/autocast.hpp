// A scope in which the network runs under bfloat16 autocast on one device type (the training loss with
// train.precision: bf16, the sampler's network calls with method.sample_precision: bf16); the previous
// autocast state is restored on exit. Inactive when constructed with enabled = false.
#pragma once
#include <ATen/autocast_mode.h>

namespace retrain {

class Bf16Autocast {
 public:
  Bf16Autocast(at::DeviceType type, bool enabled) : type_(type), enabled_(enabled) {
    if (!enabled_) return;
    was_enabled_ = at::autocast::is_autocast_enabled(type_);
    was_dtype_ = at::autocast::get_autocast_dtype(type_);
    at::autocast::set_autocast_enabled(type_, true);
    at::autocast::set_autocast_dtype(type_, at::kBFloat16);
    at::autocast::increment_nesting();
  }
  ~Bf16Autocast() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    at::autocast::set_autocast_enabled(type_, was_enabled_);
    at::autocast::set_autocast_dtype(type_, was_dtype_);
  }
  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;

 private:
  at::DeviceType type_;
  bool enabled_;
  bool was_enabled_ = false;
  at::ScalarType was_dtype_ = at::kBFloat16;
};

}  // namespace retrain
