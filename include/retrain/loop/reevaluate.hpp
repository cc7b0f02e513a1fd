// Evaluates committed generations of a run again (`retrain eval RUN_DIR`), e.g. with more samples or
// another feature extractor. Generation g is evaluated with the generator the run used
// (make_generator(seed, g, Stream::Eval)), so without changed eval.* settings the numbers equal the run's.
#pragma once
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "retrain/learners/learner.hpp"
#include "retrain/loop/run_dir.hpp"

namespace retrain {

// Loads each of `generations` (committed generations of `run`) into `learner` and evaluates it with
// `seed`'s evaluation stream: artifacts and metrics.json into out/gen_NNNN/, every row so far into
// out/metrics.jsonl (rewritten after each generation). `on_row` sees each row ({"generation": g, ...}).
std::vector<nlohmann::json> reevaluate_generations(const RunDir& run, const std::vector<std::int64_t>& generations,
                                                   std::uint64_t seed, Learner& learner,
                                                   const std::filesystem::path& out,
                                                   const std::function<void(const nlohmann::json&)>& on_row = {});

}  // namespace retrain
