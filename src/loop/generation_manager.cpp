// The generation loop: restore, then step() per generation (sample -> correct -> mix -> fit ->
// evaluate -> commit -> append tables), with a progress line each generation.
#include "retrain/loop/generation_manager.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/progress.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/core/signals.hpp"
#include "retrain/loop/generation_table.hpp"

namespace retrain {
namespace {

constexpr const char* kSyntheticFile = "synthetic.safetensors";
constexpr const char* kMetricsFile = "metrics.json";
constexpr const char* kStateFile = "state.json";

}  // namespace

std::int64_t GenerationManager::synthetic_count(double lambda, std::int64_t n) {
  return static_cast<std::int64_t>(std::floor(lambda * static_cast<double>(n)));
}

GenerationManager::GenerationManager(RunDir& run, const PointSource& source, Learner& learner,
                                     const Correction& correction, torch::Device device)
    : run_(run), cfg_(run.config()), source_(source), learner_(learner), correction_(correction), device_(device) {}

bool GenerationManager::evaluated(std::int64_t g) const {
  return g == 0 || g == cfg_.loop.generations || g % cfg_.eval.every == 0;
}

// Rows are appended in generation order after each commit, so only the newest committed generation's
// rows can be missing or torn: both tables are cut back to the generation before it and refilled.
void GenerationManager::reconcile_tables(std::int64_t latest) {
  const GenerationTable metrics(run_.file("metrics.jsonl"), RowFormat::JsonLines);
  for (std::int64_t g = metrics.truncate_after(latest - 1) + 1; g <= latest; ++g) {
    const auto file = run_.generation_dir(g) / kMetricsFile;
    if (std::filesystem::exists(file)) metrics.append(nlohmann::json::parse(read_file(file)).dump() + "\n");
  }
  if (learner_.report_name().empty()) return;
  const GenerationTable report(run_.file(learner_.report_name()), RowFormat::Csv, learner_.report_header());
  for (std::int64_t g = report.truncate_after(latest - 1) + 1; g <= latest; ++g) {
    learner_.load(run_.generation_dir(g));
    report.append(learner_.report_rows(g));
  }
}

void GenerationManager::restore(std::int64_t latest) {
  const auto dir = run_.generation_dir(latest);
  learner_.load(dir);
  synthetic_.clear();
  const std::int64_t first = cfg_.loop.synthetic == "accumulate" ? 1 : latest;
  for (std::int64_t g = std::max<std::int64_t>(first, 1); g <= latest; ++g) {
    const auto file = run_.generation_dir(g) / kSyntheticFile;
    if (std::filesystem::exists(file))
      synthetic_.push_back(require_tensor(load_safetensors(file), "samples", file).to(device_));
  }
  spdlog::info("resuming after generation {} of {} ({})", latest, cfg_.loop.generations, dir.string());
}

torch::Tensor GenerationManager::training_set(std::int64_t g) {
  std::vector<torch::Tensor> parts;
  if (g == 0 || cfg_.loop.real == "fixed") {
    parts.push_back(real_fixed_);
  } else if (cfg_.loop.real == "fresh") {
    auto gen = make_generator(cfg_.seed, g, Stream::RealData);
    parts.push_back(source_.draw(cfg_.learner.replicas, cfg_.data.n, gen).to(device_));
  }
  if (g > 0) parts.insert(parts.end(), synthetic_.begin(), synthetic_.end());
  return torch::cat(parts, 1);
}

nlohmann::json GenerationManager::step(std::int64_t g) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t m = g == 0 ? 0 : synthetic_count(cfg_.loop.lambda, cfg_.data.n);
  torch::Tensor fresh_synthetic;
  if (m > 0) {
    auto sample_gen = make_generator(cfg_.seed, g, Stream::Sample);
    auto correction_gen = make_generator(cfg_.seed, g, Stream::Correction);
    fresh_synthetic = correction_.apply(learner_.sample(m, sample_gen), torch::Tensor(), correction_gen);
    if (cfg_.loop.synthetic == "replace") synthetic_.clear();
    synthetic_.push_back(fresh_synthetic);
  }
  throw_if_stop_requested(fmt::format("sampling generation {}", g).c_str());

  auto data = training_set(g);
  auto fit_gen = make_generator(cfg_.seed, g, Stream::Fit);
  learner_.fit(data, g, fit_gen);
  throw_if_stop_requested(fmt::format("fitting generation {}", g).c_str());

  const auto staging = run_.begin_generation(g);
  nlohmann::json record;
  const std::int64_t n_train = data.size(1);
  if (evaluated(g)) {
    auto eval_gen = make_generator(cfg_.seed, g, Stream::Eval);
    record = {{"generation", g}, {"n_train", n_train}, {"n_synthetic_new", m}};
    record.update(learner_.evaluate(eval_gen, staging));
  }
  throw_if_stop_requested(fmt::format("evaluating generation {}", g).c_str());

  learner_.save(staging);
  if (fresh_synthetic.defined()) save_safetensors(staging / kSyntheticFile, {{"samples", fresh_synthetic}});
  nlohmann::json state = {{"generation", g}, {"n_train", n_train}, {"n_synthetic_new", m},
                          {"synthetic_sets", static_cast<std::int64_t>(synthetic_.size())}};
  write_file_atomic(staging / kStateFile, state.dump(2) + "\n");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!record.is_null()) {
    record["wall_s"] = wall;
    write_file_atomic(staging / kMetricsFile, record.dump(2) + "\n");
  }
  run_.commit_generation(g);

  // Tables are appended only after the commit; recovery trims them back to the committed generations.
  if (!record.is_null()) GenerationTable(run_.file("metrics.jsonl"), RowFormat::JsonLines).append(record.dump() + "\n");
  if (!learner_.report_name().empty())
    GenerationTable(run_.file(learner_.report_name()), RowFormat::Csv, learner_.report_header())
        .append(learner_.report_rows(g));
  return record;
}

nlohmann::json GenerationManager::run() {
  const auto latest = run_.recover();
  const std::int64_t last = latest.value_or(-1);
  reconcile_tables(last);

  auto real_gen = make_generator(cfg_.seed, 0, Stream::RealData);
  real_fixed_ = source_.draw(cfg_.learner.replicas, cfg_.data.n, real_gen).to(device_);
  if (latest) restore(*latest);

  const std::int64_t total = cfg_.loop.generations;
  if (last >= total) spdlog::info("all {} generations are already complete", total);
  Progress progress("generation", total, "gen", 5.0, last);
  nlohmann::json last_metrics;
  for (std::int64_t g = last + 1; g <= total; ++g) {
    throw_if_stop_requested(fmt::format("starting generation {}", g).c_str());
    auto record = step(g);
    std::string status;
    if (!record.is_null()) {
      last_metrics = record;
      for (const char* key : {"std_mean", "w2_mean"})
        if (record.contains(key)) status += fmt::format("{} {:.4g}  ", key, record[key].get<double>());
    }
    progress.update(g, status);
  }
  progress.finish(fmt::format("run directory {}", run_.path().string()));
  return last_metrics;
}

}  // namespace retrain
