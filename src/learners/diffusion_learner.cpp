// DiffusionLearner: training with progress, batched sampling, evaluation.
#include "retrain/data/quantize.hpp"
#include "retrain/core/run_layout.hpp"
#include "retrain/learners/diffusion_learner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <numeric>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/kimg.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/nvtx.hpp"
#include "retrain/core/progress.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/draw_samples.hpp"
#include "retrain/models/make_network.hpp"
#include "retrain/models/network_size.hpp"
#include "retrain/train/train_stats_file.hpp"
#include "retrain/train/training_snapshots.hpp"

namespace retrain {

namespace {

// Initial weights come from torch's global generator: seed it from the run seed, so generation 0
// starts from the same network on every run with that seed.
std::shared_ptr<Denoiser> seeded_network(const DiffusionLearnerOptions& o, const std::vector<std::int64_t>& shape,
                                         std::int64_t num_classes, torch::Device device) {
  torch::manual_seed(derive_seed(o.seed, 0, Stream::Fit));
  auto net = make_network(o.model, shape, num_classes);
  net->to(device);
  return net;
}

}  // namespace

DiffusionLearner::DiffusionLearner(DiffusionLearnerOptions options, std::vector<std::int64_t> sample_shape,
                                   std::int64_t num_classes, std::unique_ptr<SampleEvaluator> evaluator,
                                   torch::Device device, World world)
    : options_(std::move(options)),
      sample_shape_(std::move(sample_shape)),
      num_classes_(num_classes),
      evaluator_(std::move(evaluator)),
      device_(device),
      world_(world),
      method_(make_method(options_.method)),
      sampler_(method_, DrawOptions{.sample_shape = sample_shape_, .num_classes = num_classes, .batch = options_.method.sample_batch},
               options_.method.noise),
      trainer_(seeded_network(options_, sample_shape_, num_classes, device), method_, options_.train, std::move(world)) {
  if (options_.train.precision == Precision::bf16 && device.is_cpu())
    spdlog::warn("train.precision: bf16 on the CPU runs, but slowly; it is meant for CUDA");
}

void DiffusionLearner::fit(const SampleSet& data, const FitPlan& plan, at::Generator& gen) {
  TORCH_CHECK(data.x.dim() >= 2 && data.x.size(0) == 1, "diffusion learner expects data [1, N, ...], got ",
              data.x.sizes());
  if (!plan.start_from.empty()) {
    trainer_.load_checkpoint(plan.start_from);
    spdlog::info("generation {} starts from checkpoint {} ({} images seen)", plan.generation,
                 plan.start_from.string(), trainer_.images_seen());
  }
  if (plan.reset_optimizer) trainer_.reset_optimizer();
  const auto generation = plan.generation;
  const auto budget = plan.images;
  auto x = data.x[0].to(device_);
  if (!images()) x = x.to(torch::kFloat32);
  const auto labels = data.labels.defined() ? data.labels[0].to(device_) : torch::Tensor();

  std::optional<TrainingSnapshots> snapshots;
  std::optional<FitCursor> resume;
  FitSnapshots every;
  if (!plan.snapshot_dir.empty()) {
    snapshots.emplace(plan.snapshot_dir);
    // Rank 0 looks first (latest() removes unfinished and damaged snapshots), then the others read.
    std::optional<std::filesystem::path> latest;
    world_.root_first([&] { latest = snapshots->latest(); });
    if (latest) {
      trainer_.load(*latest);
      resume = FitCursor::load(*latest);
      spdlog::info("generation {} training continues from snapshot {} ({} of {} images)", generation, latest->string(),
                   resume->step * trainer_.options().batch_size, budget);
    }
    every.every_images = images_from_kimg(options_.train.snapshot_kimg);
    if (world_.root())
      every.save = [&](const FitCursor& cursor) {
        snapshots->write(cursor.step, [&](const std::filesystem::path& dir) {
          trainer_.save(dir);
          cursor.save(dir);
        });
      };
  }
  // Rank 0 cuts the statistics back to where this fit continues, then appends its rows.
  std::optional<TrainStatsFile> stats_file;
  FitStatsLog stats_log;
  if (!plan.stats_file.empty() && world_.root()) {
    stats_file.emplace(plan.stats_file);
    stats_file->keep_until(generation, resume ? resume->step : 0);
    stats_log.every_steps = options_.train.stats_every;
    stats_log.write = [&](const StepStatsRow& row) { stats_file->append(generation, row); };
  }
  Progress progress(fmt::format("gen {} training", generation), budget, "img", 10.0);
  last_fit_ = trainer_.fit(
      x, labels, budget, gen,
      [&](const FitProgress& p) { progress.update(p.images_done, fmt::format("loss {:.4g}", p.loss)); },
      resume ? &*resume : nullptr, every, stats_log);
  progress.finish(fmt::format("loss {:.4g} -> {:.4g}, {:.1f} img/s", last_fit_->loss_first, last_fit_->loss_last,
                              last_fit_->images_per_s));
}

SampleSet DiffusionLearner::sample(std::int64_t n, SampleNoise noise) {
  auto& net = sampling_network();
  return as_learner_samples(sampler_.draw(net, n, std::move(noise)));
}

Denoiser& DiffusionLearner::sampling_network() {
  return options_.sample_from == SampleFrom::raw ? *trainer_.net() : *trainer_.ema();
}

SampleSet DiffusionLearner::as_learner_samples(const SampleSet& s) const {
  return {images() ? s.x.unsqueeze(0) : s.x.to(torch::kFloat64).unsqueeze(0),
          s.labels.defined() ? s.labels.unsqueeze(0) : s.labels};
}

torch::Tensor DiffusionLearner::to_storage(const torch::Tensor& x) const {
  return images() ? quantize_images(x) : x;
}

void DiffusionLearner::save(const std::filesystem::path& dir) const {
  trainer_.save(dir);
  const nlohmann::json network = {{"arch", choice_name(options_.model.arch)}, {"sample_shape", sample_shape_}, {"num_classes", num_classes_}};
  write_file_atomic(dir / run_layout::kNetworkFile, network.dump(2) + "\n");
}

nlohmann::json DiffusionLearner::model_summary() const { return network_size(*trainer_.net()); }

void DiffusionLearner::write_views(const std::filesystem::path& out_dir) {
  const auto n = evaluator_->view_count();
  if (n < 1) return;
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(n));
  std::iota(seeds.begin(), seeds.end(), 0);
  const auto s = sampler_.draw(sampling_network(), seeds);
  evaluator_->write_views({to_storage(s.x), s.labels}, out_dir);
}

nlohmann::json DiffusionLearner::evaluate(at::Generator& gen, const std::filesystem::path& out_dir) {
  const NvtxRange range("evaluation");
  const std::int64_t k = options_.eval_samples;
  if (k < 1) throw UsageError("eval.num_samples = 0 means data.n, which is 0 (the whole data set): set eval.num_samples");
  const auto seeds = sample_seeds(gen.current_seed(), 0, k);
  Progress progress("evaluation sampling", k, "samples", 10.0);
  // All k samples in storage form; on several ranks each fills its chunks (zeros elsewhere), then a sum.
  auto shape = sample_shape_;
  shape.insert(shape.begin(), k);
  auto x = torch::zeros(shape, images() ? torch::kUInt8 : torch::kFloat64);
  auto y = num_classes_ > 0 ? torch::zeros({k}, torch::kLong) : torch::Tensor();
  const auto store = [&](std::int64_t begin, const SampleSet& s) {
    const auto count = s.x.size(0);
    x.narrow(0, begin, count).copy_(to_storage(as_learner_samples(s).x[0]));
    if (y.defined()) y.narrow(0, begin, count).copy_(s.labels);
    progress.update(begin + count);
  };
  sampler_.draw_batches(sampling_network(), seeds, store, world_.rank(), world_.size());
  progress.finish();
  if (world_.distributed()) {
    std::vector<torch::Tensor> parts{x.to(device_)};  // on the process group's device
    if (y.defined()) parts.push_back(y.to(device_));
    world_.sum(parts);
    if (!world_.root()) return nlohmann::json::object();
    x = parts[0].cpu();
    if (y.defined()) y = parts[1].cpu();
  }
  nlohmann::json m = evaluator_->evaluate({x, y}, gen, out_dir);
  write_views(out_dir);
  if (last_fit_) m["loss"] = last_fit_->loss_last;
  m["images_seen"] = trainer_.images_seen();
  m["nonfinite_steps"] = trainer_.nonfinite_steps();
  return m;
}

}  // namespace retrain
