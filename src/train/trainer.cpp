// Trainer: the optimisation loop, the gradient guard, and checkpoint files.
#include "retrain/train/trainer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <limits>
#include <mutex>
#include <optional>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/kimg.hpp"
#include "retrain/core/autocast.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/require.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/core/nvtx.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/core/signals.hpp"
#include "retrain/models/state_dict.hpp"
#include "retrain/train/epoch_sampler.hpp"
#include "retrain/train/gradient_sync.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModelFile = "model.safetensors";
constexpr const char* kEmaFile = "ema.safetensors";
constexpr const char* kOptimizerFile = "optimizer.safetensors";
constexpr const char* kStateFile = "trainer.json";

std::unique_ptr<FusedAdam> make_optimizer(const TrainerOptions& o, const torch::nn::Module& net) {
  std::vector<std::pair<std::string, torch::Tensor>> params;
  for (const auto& item : net.named_parameters()) params.emplace_back(item.key(), item.value());
  return std::make_unique<FusedAdam>(std::move(params), FusedAdamOptions{o.optimizer == OptimizerKind::adamw, o.beta1, o.beta2,
                                                                         o.eps, o.weight_decay});
}

nlohmann::json to_json(const TrainerOptions& o) {
  return {{"optimizer", std::string(choice_name(o.optimizer))},
          {"lr", o.lr},
          {"betas", {o.beta1, o.beta2}},
          {"eps", o.eps},
          {"weight_decay", o.weight_decay},
          {"batch_size", o.batch_size},
          {"lr_warmup_images", images_from_kimg(o.warmup_kimg)},
          {"ema", {{"decay", o.ema.decay}, {"halflife_images", o.ema.halflife_kimg * 1000}, {"rampup_ratio", o.ema.rampup_ratio},
                   {"decay_warmup", o.ema.decay_warmup}}},
          {"grad_clip_norm", o.grad_clip_norm}};
}

void load_weights(torch::nn::Module& module, const fs::path& file) {
  load_state_dict(module, load_safetensors(file), file);
}

}  // namespace

void require_batch_divides(std::int64_t batch, std::int64_t accumulate, int processes) {
  const auto shares = processes * accumulate;
  if (batch % shares != 0)
    throw UsageError(fmt::format("train.batch = {} does not divide among {} processes x train.accumulate = {} ({} "
                                 "micro-batches per step); choose a batch that is a multiple of {}",
                                 batch, processes, accumulate, shares, shares));
}

Trainer::Trainer(std::shared_ptr<Denoiser> net, std::shared_ptr<const Method> method, TrainerOptions options, World world)
    : net_(std::move(net)), method_(std::move(method)), options_(std::move(options)), world_(std::move(world)) {
  TORCH_CHECK(net_ && method_, "Trainer needs a network and a method");
  const auto& o = options_;
  validate(o);
  require(o.report_every_steps >= 1, "trainer", "report_every_steps", o.report_every_steps, ">= 1");
  require_batch_divides(o.batch_size, o.accumulate, world_.size());
  // Every rank starts from rank 0's weights (and so its EMA copy, made below, is rank 0's too).
  if (world_.distributed()) {
    std::vector<torch::Tensor> state;
    for (const auto& p : net_->parameters()) state.push_back(p.data());
    for (const auto& b : net_->buffers()) state.push_back(b);
    world_.broadcast(state);
  }
  // The EMA copy in the trained network's memory format, so the foreach lerp runs on like layouts.
  const auto to_channels_last = [](torch::nn::Module& module) {
    for (auto& p : module.parameters())
      if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
  };
  if (o.channels_last) to_channels_last(*net_);
  optimizer_ = make_optimizer(o, *net_);
  ema_ = net_->replicate();
  if (o.channels_last) to_channels_last(*ema_);
  ema_->eval();
  for (auto& p : ema_->parameters()) p.set_requires_grad(false);
}

namespace {

// Dropout and label dropout draw from the default generator of the network's device. Seeding it for
// every micro-batch from one draw of the fit generator per step makes those masks a function of the
// fit generator's state, which snapshots save (a resumed fit draws the masks an uninterrupted one
// would), and of the micro-batch's place in the global batch (so W processes with accumulate a draw
// the masks of one process with accumulate W x a). Micro-batch 0 takes the step's draw itself.
void seed_network_randomness(const torch::Device& device, std::uint64_t step_seed, std::int64_t micro_batch) {
  const auto seed = micro_batch == 0 ? step_seed : mix64(step_seed ^ mix64(static_cast<std::uint64_t>(micro_batch)));
  auto target = at::globalContext().defaultGenerator(device);
  const std::lock_guard<std::mutex> lock(target.mutex());
  target.set_current_seed(seed);
}

std::uint64_t draw_step_seed(at::Generator& gen) {
  return static_cast<std::uint64_t>(
      at::randint(std::numeric_limits<std::int64_t>::max(), {1}, gen, torch::kLong).item<std::int64_t>());
}

}  // namespace

torch::Tensor Trainer::pass_loss_sum(torch::Tensor x, const torch::Tensor& labels, at::Generator& gen,
                                     const torch::Tensor& keys) {
  if (x.scalar_type() == torch::kUInt8) x = x.to(torch::kFloat32) / 127.5 - 1.0;
  if (options_.channels_last && x.dim() == 4) x = x.contiguous(torch::MemoryFormat::ChannelsLast);
  const Bf16Autocast autocast(x.device().type(), (options_.precision == Precision::bf16));
  const auto loss = method_->keyed_loss(*net_, x, labels, gen, keys);
  return ((options_.precision == Precision::bf16) ? loss.to(torch::kFloat32) : loss).sum();
}

double Trainer::current_lr() const {
  const auto warmup_images = images_from_kimg(options_.warmup_kimg);
  if (warmup_images <= 0) return options_.lr;
  return options_.lr * std::min(static_cast<double>(images_seen_) / static_cast<double>(warmup_images), 1.0);
}

Trainer::GradientCheck Trainer::guard_gradients() {
  std::vector<torch::Tensor> grads;
  for (const auto& p : net_->parameters())
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return {torch::zeros({}, torch::kBool), torch::zeros({})};
  const auto norm = at::stack(at::_foreach_norm(grads)).norm();
  auto nonfinite = norm.isfinite().logical_not();
  // On CPU reading the flag is free, so the per-gradient repair runs only when needed; on a GPU it
  // runs unconditionally rather than synchronising every step.
  if (!nonfinite.is_cpu() || nonfinite.item<bool>())
    for (auto& g : grads) g.nan_to_num_(0.0, 1e5, -1e5);
  if (options_.grad_clip_norm > 0) {
    auto total = at::stack(at::_foreach_norm(grads)).norm();
    at::_foreach_mul_(grads, (options_.grad_clip_norm / (total + 1e-6)).clamp_max(1.0));
  }
  return {nonfinite, norm};
}

FitStats Trainer::fit(const torch::Tensor& data, const torch::Tensor& labels, std::int64_t images, at::Generator& gen,
                      const FitCallback& progress, const FitCursor* resume, const FitSnapshots& snapshots,
                      const FitStatsLog& stats_log) {
  TORCH_CHECK(data.dim() >= 1 && data.size(0) >= 1, "Trainer::fit needs data [N >= 1, ...], got ", data.sizes());
  TORCH_CHECK(!labels.defined() || (labels.dim() == 1 && labels.size(0) == data.size(0)),
              "Trainer::fit: labels must be [", data.size(0), "], got ", labels.sizes());
  TORCH_CHECK(images >= 0, "Trainer::fit: images = ", images, " must be >= 0");
  const auto batch = options_.batch_size;
  const auto steps = (images + batch - 1) / batch;
  const auto window = std::max<std::int64_t>(1, (steps + 9) / 10);
  const auto device = data.device();
  const auto start = std::chrono::steady_clock::now();
  net_->train();
  EpochSampler sampler(data.size(0), gen);
  auto zero = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
  auto loss_first = zero.clone(), loss_last = zero.clone(), loss_report = zero.clone();
  auto nonfinite = torch::zeros({}, torch::TensorOptions().dtype(torch::kLong).device(device));
  std::int64_t first_step = 0;
  if (resume) {
    if (resume->images_total != images || resume->batch_size != batch)
      throw CorruptFile(fmt::format("training snapshot of a fit of {} images in batches of {} cannot continue a fit of "
                                           "{} images in batches of {}", resume->images_total, resume->batch_size, images, batch));
    sampler.restore(resume->order, resume->order_position);
    gen.set_state(resume->generator_state);
    loss_first.fill_(resume->loss_first);
    loss_last.fill_(resume->loss_last);
    nonfinite.fill_(resume->nonfinite_steps);
    first_step = resume->step;
  }
  std::optional<StepStatsWindow> stats_window;
  if (stats_log.write && stats_log.every_steps > 0)
    stats_window.emplace(device, resume ? resume->stats : StepStatsSums{}, first_step);
  const auto cursor_at = [&](std::int64_t done) {
    return FitCursor{images, batch, done, sampler.permutation(), sampler.position(), gen.get_state(),
                     loss_first.item<double>(), loss_last.item<double>(), nonfinite.item<std::int64_t>(),
                     stats_window ? stats_window->sums() : StepStatsSums{}};
  };
  const auto snapshot_steps = snapshots.every_images > 0 ? std::max<std::int64_t>(1, snapshots.every_images / batch) : 0;
  std::int64_t since_report = 0;
  // This process trains its stripe of every global batch: rows [rank, rank + 1) x batch / world.
  const auto passes = options_.accumulate, rank_batch = batch / world_.size(), pass_batch = rank_batch / passes;
  const auto rank_offset = world_.rank() * rank_batch;
  std::optional<GradientSync> sync;
  if (world_.distributed()) sync.emplace(net_->parameters(), world_, static_cast<std::int64_t>(options_.bucket_mb * (1 << 20)));
  for (std::int64_t k = first_step; k < steps; ++k) {
    // Every rank of a data-parallel fit stops at the same step (on several ranks the check is a
    // collective, so it is made every kStopCheckSteps steps: see stop_check_due).
    if (stop_check_due(world_, k) && any_rank_stopped(world_)) {
      if (snapshots.save) snapshots.save(cursor_at(k));
      throw_stopped(fmt::format("training (step {} of {}{})", k, steps, snapshots.save ? "; a snapshot was saved" : ""));
    }
    const NvtxRange step_range("train step");
    const auto idx = to_device(sampler.next(batch), device);
    optimizer_->zero_grad();
    // The step's random draws are made for the whole batch, so gradient accumulation (and later data
    // parallelism) splits the same draws: row r's noise is Philox stream keys[r] whatever pass it is in.
    const auto step_seed = draw_step_seed(gen);
    const auto keys = Method::batch_keys(gen, batch, device);
    auto loss = torch::zeros({}, torch::TensorOptions().device(device));
    for (std::int64_t p = 0; p < passes; ++p) {
      seed_network_randomness(device, step_seed, world_.rank() * passes + p);
      torch::Tensor x, y, part_keys;
      {
        const NvtxRange range("data");
        const auto part = idx.narrow(0, rank_offset + p * pass_batch, pass_batch);
        part_keys = keys.narrow(0, rank_offset + p * pass_batch, pass_batch);
        y = labels.defined() ? labels.index_select(0, part) : labels;
        x = data.index_select(0, part);
      }
      torch::Tensor pass_loss;
      {
        const NvtxRange range("forward");
        pass_loss = pass_loss_sum(x, y, gen, part_keys) / static_cast<double>(batch);
      }
      loss += pass_loss.detach().to(torch::kFloat32);
      if (sync && p + 1 == passes) sync->arm(loss);  // the step's gradients are final after this backward
      {
        const NvtxRange range("backward");
        pass_loss.backward();
      }
    }
    if (sync) sync->finish();
    const auto lr = current_lr();
    torch::Tensor grad_norm;
    {
      const NvtxRange range("optimizer");
      const auto check = guard_gradients();
      nonfinite += check.nonfinite.to(device);
      grad_norm = check.norm;
      optimizer_->step(lr);
    }
    {
      const NvtxRange range("ema");
      ema_update(*ema_, *net_, ema_beta(options_.ema, batch, images_seen_, step_ + 1));
    }
    images_seen_ += batch;
    ++step_;
    const auto l = loss.detach().to(torch::kFloat64);
    if (k < window) loss_first += l;
    if (k >= steps - window) loss_last += l;
    loss_report += l;
    ++since_report;
    if (stats_window) {
      stats_window->add(l, grad_norm);
      if ((k + 1) % stats_log.every_steps == 0 || k + 1 == steps) stats_log.write(stats_window->row(k + 1, batch, lr));
    }
    if (progress && ((k + 1) % options_.report_every_steps == 0 || k + 1 == steps)) {
      progress({std::min((k + 1) * batch, images), images, k + 1,
                loss_report.item<double>() / static_cast<double>(since_report)});
      loss_report.zero_();
      since_report = 0;
    }
    if (snapshots.save && snapshot_steps > 0 && (k + 1) % snapshot_steps == 0 && k + 1 < steps)
      snapshots.save(cursor_at(k + 1));
  }
  FitStats stats;
  stats.steps = steps;
  stats.images = steps * batch;
  const auto w = static_cast<double>(window);  // window <= steps whenever steps > 0
  stats.loss_first = steps > 0 ? loss_first.item<double>() / w : 0.0;
  stats.loss_last = steps > 0 ? loss_last.item<double>() / w : 0.0;
  stats.nonfinite_steps = nonfinite.item<std::int64_t>();
  nonfinite_steps_ += stats.nonfinite_steps;  // a snapshot's counters predate this fit's end
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats.images_per_s = stats.seconds > 0 ? static_cast<double>((steps - first_step) * batch) / stats.seconds : 0.0;
  return stats;
}

void Trainer::save(const fs::path& dir) const {
  fs::create_directories(dir);
  save_safetensors(dir / kModelFile, state_dict(*net_));
  save_safetensors(dir / kEmaFile, state_dict(*ema_));
  save_safetensors(dir / kOptimizerFile, optimizer_->state());
  const nlohmann::json state = {{"images_seen", images_seen_},
                                {"step", step_},
                                {"nonfinite_steps", nonfinite_steps_},
                                {"options", to_json(options_)}};
  write_file_atomic(dir / kStateFile, state.dump(2) + "\n");
}

void Trainer::load(const fs::path& dir) {
  load_weights(*net_, dir / kModelFile);
  load_weights(*ema_, dir / kEmaFile);
  const auto opt_file = dir / kOptimizerFile;
  optimizer_->load_state(load_safetensors(opt_file), opt_file);
  load_counters(dir / kStateFile);
}

void Trainer::load_checkpoint(const fs::path& dir) {
  if (!fs::is_directory(dir))
    throw UsageError(fmt::format("checkpoint '{}' is not a directory (expected {} and {}, e.g. from "
                                 "scripts/convert_checkpoint.py)", dir.string(), kModelFile, kEmaFile));
  for (const char* name : {kModelFile, kEmaFile})
    if (!fs::exists(dir / name)) throw UsageError(fmt::format("checkpoint '{}' has no {}", dir.string(), name));
  require_manifest(dir, "checkpoint");
  load_weights(*net_, dir / kModelFile);
  load_weights(*ema_, dir / kEmaFile);
  if (fs::exists(dir / kOptimizerFile)) optimizer_->load_state(load_safetensors(dir / kOptimizerFile), dir / kOptimizerFile);
  else reset_optimizer();
  if (fs::exists(dir / kStateFile)) load_counters(dir / kStateFile);
}

void Trainer::reset_optimizer() { optimizer_ = make_optimizer(options_, *net_); }

void Trainer::load_counters(const fs::path& state_file) {
  try {
    const auto state = nlohmann::json::parse(read_file(state_file));
    images_seen_ = state.at("images_seen").get<std::int64_t>();
    step_ = state.at("step").get<std::int64_t>();
    nonfinite_steps_ = state.at("nonfinite_steps").get<std::int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw CorruptFile(fmt::format("'{}': {}", state_file.string(), e.what()));
  }
  for (const auto& [name, value] : {std::pair{"images_seen", images_seen_}, {"step", step_},
                                    {"nonfinite_steps", nonfinite_steps_}})
    if (value < 0) throw CorruptFile(fmt::format("'{}': {} is {} (expected >= 0)", state_file.string(), name, value));
}

}  // namespace retrain
