// Turns the shared CLI flags into config overrides, so `--seed 3` is checked exactly like `seed: 3`.
#pragma once
#include <vector>

#include "commands.hpp"
#include "retrain/loop/config.hpp"

namespace retrain::cli {

std::vector<Override> overrides_from(const CommonOptions& options);

}  // namespace retrain::cli
