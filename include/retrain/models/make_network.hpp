// model.* keys -> a Denoiser for samples of a given shape: the MLP for points, SongUNet (ddpmpp,
// ncsnpp) or the DDPM U-Net for images [C, R, R].
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "retrain/models/denoiser.hpp"

namespace retrain {

struct ModelOptions;

// `sample_shape`: [D] for points, [C, R, R] for images; `num_classes` 0 = unconditional. Initial
// weights come from torch's global generator (seed it first). UsageError for a mismatch between the
// architecture and the shape.
std::shared_ptr<Denoiser> make_network(const ModelOptions& config, const std::vector<std::int64_t>& sample_shape,
                                       std::int64_t num_classes);

}  // namespace retrain
