// reevaluate_generations: the per-generation loop of `retrain eval RUN_DIR`.
#include "retrain/loop/reevaluate.hpp"

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/run_layout.hpp"

namespace retrain {

namespace fs = std::filesystem;

std::vector<nlohmann::json> reevaluate_generations(const RunDir& run, const std::vector<std::int64_t>& generations,
                                                   std::uint64_t seed, Learner& learner, const fs::path& out,
                                                   const std::function<void(const nlohmann::json&)>& on_row) {
  std::vector<nlohmann::json> rows;
  std::string jsonl;
  for (const auto g : generations) {
    learner.load(run.generation_dir(g));
    auto gen = make_generator(seed, g, Stream::Eval);
    const auto gen_dir = run_layout::generation_dir(out, g);
    fs::create_directories(gen_dir);
    nlohmann::json row = {{"generation", g}};
    row.update(learner.evaluate(gen, gen_dir));
    write_file_atomic(gen_dir / "metrics.json", row.dump(2) + "\n");
    jsonl += row.dump() + "\n";
    write_file_atomic(out / run_layout::kMetricsFile, jsonl);
    if (on_row) on_row(row);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace retrain
