// The generation loop: restore, then step() per generation (sample -> correct -> store -> mix -> fit
// -> evaluate -> commit -> append tables), with a progress line each generation.
#include "retrain/loop/generation_manager.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <regex>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/kimg.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/progress.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/learners/headline_metrics.hpp"
#include "retrain/loop/generation_table.hpp"
#include "retrain/loop/sample_shards.hpp"
#include "retrain/plots/seed_strip.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSyntheticDir = "synthetic";
constexpr const char* kMetricsFile = "metrics.json";
constexpr const char* kStateFile = "state.json";


}  // namespace

std::int64_t GenerationManager::synthetic_count(double lambda, std::int64_t n) {
  return static_cast<std::int64_t>(std::floor(lambda * static_cast<double>(n)));
}

GenerationManager::GenerationManager(RunDir& run, const RealData& real, Learner& learner, const Correction& correction,
                                     torch::Device device, World world)
    : run_(run),
      cfg_(run.config()),
      real_(real),
      learner_(learner),
      correction_(correction),
      device_(device),
      world_(std::move(world)) {}

bool GenerationManager::evaluated(std::int64_t g) const {
  return g == 0 || g == cfg_.loop.generations || g % cfg_.eval.every == 0;
}

fs::path GenerationManager::shard_dir(std::int64_t g) const {
  return run_layout::samples_dir(run_.path(), g);
}

fs::path GenerationManager::training_dir(std::int64_t g) const {
  return run_layout::training_dir(run_.path(), g);
}

// Rows are appended in generation order after each commit, so only the newest committed generation's
// rows can be missing or torn: both tables are cut back to the generation before it and refilled.
void GenerationManager::reconcile_tables(std::int64_t latest) {
  const GenerationTable metrics(run_.file(run_layout::kMetricsFile), RowFormat::JsonLines);
  for (std::int64_t g = metrics.truncate_after(latest - 1) + 1; g <= latest; ++g) {
    const auto file = run_.generation_dir(g) / kMetricsFile;
    if (fs::exists(file)) metrics.append(nlohmann::json::parse(read_file(file)).dump() + "\n");
  }
  if (learner_.report_name().empty()) return;
  const GenerationTable report(run_.file(learner_.report_name()), RowFormat::Csv, learner_.report_header());
  for (std::int64_t g = report.truncate_after(latest - 1) + 1; g <= latest; ++g) {
    learner_.load(run_.generation_dir(g));
    report.append(learner_.report_rows(g));
  }
}

void GenerationManager::remove_stale_work(std::int64_t latest) const {
  static const std::regex name_re(R"(gen_(\d{4,})\.(samples|training))");
  for (const auto& entry : fs::directory_iterator(run_.path())) {
    std::smatch m;
    const auto name = entry.path().filename().string();
    if (std::regex_match(name, m, name_re) && std::stoll(m[1]) != latest + 1) {
      spdlog::info("removing unfinished work of a generation that is not next: {}", name);
      fs::remove_all(entry.path());
    }
  }
}

void GenerationManager::restore(std::int64_t latest) {
  const auto dir = run_.generation_dir(latest);
  learner_.load(dir);
  synthetic_.clear();
  const std::int64_t first = cfg_.loop.synthetic == SyntheticMode::accumulate ? 1 : latest;
  for (std::int64_t g = std::max<std::int64_t>(first, 1); g <= latest; ++g) {
    const auto shards = run_.generation_dir(g) / kSyntheticDir;
    if (fs::exists(shards)) synthetic_.push_back(read_shards(shards));
  }
  spdlog::info("resuming after generation {} of {} ({})", latest, cfg_.loop.generations, dir.string());
}

SampleSet GenerationManager::synthesize(std::int64_t g, std::int64_t m) {
  const auto sample_stream = derive_seed(cfg_.seed, g, Stream::Sample);
  const auto correction_stream = derive_seed(cfg_.seed, g, Stream::Correction);
  const auto make = [&](std::int64_t index, std::int64_t first, std::int64_t count) {
    const auto seeds = sample_seeds(sample_stream, first, count);
    auto sampled = learner_.sample(count, SampleNoise::per_sample(seeds, cfg_.method.noise));
    auto correction_gen = at::detail::createCPUGenerator(mix64(correction_stream ^ mix64(static_cast<std::uint64_t>(index))));
    auto corrected = correction_.apply(sampled.x, sampled.labels, correction_gen);
    return SampleSet{learner_.to_storage(corrected).cpu(), sampled.labels};
  };
  make_shards(shard_dir(g), m, cfg_.loop.shard_size, make, fmt::format("gen {} sampling", g),
              Stripe{world_.rank(), world_.size()});
  world_.barrier();  // every rank's shards are written
  return read_shards(shard_dir(g), Checksum::required);
}

SampleSet GenerationManager::training_set(std::int64_t g) {
  std::vector<SampleSet> parts;
  if (g == 0 || cfg_.loop.real == RealMode::fixed) {
    parts.push_back(real_fixed_);
  } else if (cfg_.loop.real == RealMode::fresh) {
    auto gen = make_generator(cfg_.seed, g, Stream::RealData);
    parts.push_back(real_.draw(cfg_.learner.replicas, cfg_.data.n, gen));
  }
  if (g > 0) parts.insert(parts.end(), synthetic_.begin(), synthetic_.end());
  return concat_samples(parts);
}

FitPlan GenerationManager::fit_plan(std::int64_t g) const {
  FitPlan plan;
  plan.generation = g;
  plan.images = images_from_kimg(g == 0 ? cfg_.gen0.kimg : cfg_.loop.kimg_per_generation);
  if (g == 0) plan.start_from = cfg_.gen0.checkpoint;
  plan.reset_optimizer = g > 0 && cfg_.loop.optimizer == OptimizerHandover::reset;
  plan.snapshot_dir = training_dir(g);
  plan.stats_file = run_.file(run_layout::kTrainStatsFile);
  return plan;
}

nlohmann::json GenerationManager::step(std::int64_t g) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::int64_t m = g == 0 ? 0 : synthetic_count(cfg_.loop.lambda, real_fixed_.x.size(1));
  if (m > 0) {
    auto fresh = synthesize(g, m);
    if (cfg_.loop.synthetic == SyntheticMode::replace) synthetic_.clear();
    synthetic_.push_back(fresh);
  }
  throw_if_any_rank_stopped(world_, fmt::format("sampling generation {}", g));

  auto data = training_set(g);
  if (data.x.size(1) < 1) throw RuntimeFailure(fmt::format("generation {} has no training data", g));
  auto fit_gen = make_generator(cfg_.seed, g, Stream::Fit);
  learner_.fit(data, fit_plan(g), fit_gen);
  throw_if_any_rank_stopped(world_, fmt::format("fitting generation {}", g));

  const auto staging = world_.root() ? run_.begin_generation(g) : fs::path();
  nlohmann::json record;
  const std::int64_t n_train = data.x.size(1);
  if (evaluated(g)) {
    auto eval_gen = make_generator(cfg_.seed, g, Stream::Eval);
    record = {{"generation", g}, {"n_train", n_train}, {"n_synthetic_new", m}};
    record.update(learner_.evaluate(eval_gen, staging));
  }
  throw_if_any_rank_stopped(world_, fmt::format("evaluating generation {}", g));
  if (!world_.root()) {
    world_.barrier();  // rank 0 commits
    return record;
  }

  learner_.save(staging);
  if (m > 0) fs::rename(shard_dir(g), staging / kSyntheticDir);
  nlohmann::json state = {{"generation", g}, {"n_train", n_train}, {"n_synthetic_new", m},
                          {"synthetic_sets", static_cast<std::int64_t>(synthetic_.size())}};
  write_file_atomic(staging / kStateFile, state.dump(2) + "\n");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!record.is_null()) {
    record["wall_s"] = wall;
    write_file_atomic(staging / kMetricsFile, record.dump(2) + "\n");
  }
  run_.commit_generation(g);
  fs::remove_all(training_dir(g));

  // Tables are appended only after the commit; recovery trims them back to the committed generations.
  if (!record.is_null()) GenerationTable(run_.file(run_layout::kMetricsFile), RowFormat::JsonLines).append(record.dump() + "\n");
  if (!learner_.report_name().empty())
    GenerationTable(run_.file(learner_.report_name()), RowFormat::Csv, learner_.report_header())
        .append(learner_.report_rows(g));
  if (!record.is_null()) write_seed_strip(run_.path());  // image runs: the committed generations' seed tiles
  world_.barrier();
  return record;
}

nlohmann::json GenerationManager::run() {
  // Rank 0 recovers the run directory; every rank continues after the generation it names.
  std::int64_t last = -1;
  if (world_.root()) {
    last = run_.recover().value_or(-1);
    reconcile_tables(last);
    remove_stale_work(last);
    write_seed_strip(run_.path());  // a crash may have come between a commit and the strip
  }
  last = world_.from_root(last);
  const auto latest = last >= 0 ? std::optional<std::int64_t>(last) : std::nullopt;

  auto real_gen = make_generator(cfg_.seed, 0, Stream::RealData);
  real_fixed_ = real_.draw(cfg_.learner.replicas, cfg_.data.n, real_gen);
  if (cfg_.loop.real == RealMode::none && synthetic_count(cfg_.loop.lambda, real_fixed_.x.size(1)) < 2)
    throw UsageError(fmt::format("loop.real: none trains on floor(loop.lambda * n) = floor({} * {}) synthetic samples; "
                                 "at least 2 are needed", cfg_.loop.lambda, real_fixed_.x.size(1)));
  if (latest) restore(*latest);

  const std::int64_t total = cfg_.loop.generations;
  if (last >= total) spdlog::info("all {} generations are already complete", total);
  Progress progress("generation", total, "gen", 5.0, last);
  nlohmann::json last_metrics;
  for (std::int64_t g = last + 1; g <= total; ++g) {
    throw_if_any_rank_stopped(world_, fmt::format("starting generation {}", g));
    auto record = step(g);
    std::string status;
    if (!record.is_null()) {
      last_metrics = record;
      status = headline_summary(record);
    }
    progress.update(g, status);
  }
  progress.finish(fmt::format("run directory {}", run_.path().string()));
  return last_metrics;
}

}  // namespace retrain
