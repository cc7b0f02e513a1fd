// Thousands of images (the *_kimg keys) as a whole number of images.
#pragma once
#include <cmath>
#include <cstdint>

namespace retrain {

inline std::int64_t images_from_kimg(double kimg) { return static_cast<std::int64_t>(std::llround(kimg * 1000)); }

}  // namespace retrain
