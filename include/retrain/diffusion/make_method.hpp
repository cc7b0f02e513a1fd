// Building a Method: method ddpm | edm | cfm with its sampler, step count and per-method options, from
// MethodOptions (the method.* keys, method_options.hpp).
#pragma once
#include <memory>

#include "retrain/diffusion/method_options.hpp"

namespace retrain {


// Throws retrain::UsageError naming the offending value and what fits.
std::shared_ptr<Method> make_method(const MethodOptions& options);

}  // namespace retrain
