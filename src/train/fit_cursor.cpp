// FitCursor files: tensors as safetensors, counters as JSON.
#include "retrain/train/fit_cursor.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/safetensors.hpp"

namespace retrain {
namespace {

constexpr const char* kTensors = "fit_cursor.safetensors";
constexpr const char* kCounters = "fit_cursor.json";

}  // namespace

void FitCursor::save(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  const auto empty = torch::zeros({0}, torch::kLong);
  save_safetensors(dir / kTensors, {{"order", order.defined() ? order.contiguous() : empty},
                                    {"generator_state", generator_state.contiguous()}});
  const nlohmann::json counters = {{"images_total", images_total},     {"batch_size", batch_size},
                                   {"step", step},                     {"order_position", order_position},
                                   {"loss_first", loss_first},         {"loss_last", loss_last},
                                   {"nonfinite_steps", nonfinite_steps},
                                   {"stats", {{"loss", stats.loss}, {"loss_squared", stats.loss_squared},
                                              {"grad_norm", stats.grad_norm}, {"steps", stats.steps}}}};
  write_file_atomic(dir / kCounters, counters.dump(2) + "\n");
}

FitCursor FitCursor::load(const std::filesystem::path& dir) {
  FitCursor c;
  const auto tensors = load_safetensors(dir / kTensors);
  c.order = require_tensor(tensors, "order", dir / kTensors);
  if (c.order.numel() == 0) c.order = torch::Tensor();
  c.generator_state = require_tensor(tensors, "generator_state", dir / kTensors);
  const auto file = dir / kCounters;
  try {
    const auto j = nlohmann::json::parse(read_file(file));
    c.images_total = j.at("images_total").get<std::int64_t>();
    c.batch_size = j.at("batch_size").get<std::int64_t>();
    c.step = j.at("step").get<std::int64_t>();
    c.order_position = j.at("order_position").get<std::int64_t>();
    c.loss_first = j.at("loss_first").get<double>();
    c.loss_last = j.at("loss_last").get<double>();
    c.nonfinite_steps = j.at("nonfinite_steps").get<std::int64_t>();
    if (j.contains("stats")) {  // snapshots written before train_stats.jsonl existed have none
      const auto& s = j.at("stats");
      c.stats = {s.at("loss").get<double>(), s.at("loss_squared").get<double>(), s.at("grad_norm").get<double>(),
                 s.at("steps").get<std::int64_t>()};
    }
  } catch (const nlohmann::json::exception& e) {
    throw CorruptFile(fmt::format("'{}': {}", file.string(), e.what()));
  }
  const auto refuse = [&](const std::string& what) {
    return CorruptFile(fmt::format("'{}' is not a valid fit cursor: {}", dir.string(), what));
  };
  for (const auto& [name, value] : {std::pair{"images_total", c.images_total}, {"batch_size", c.batch_size},
                                    {"step", c.step}, {"order_position", c.order_position},
                                    {"nonfinite_steps", c.nonfinite_steps}, {"stats.steps", c.stats.steps}})
    if (value < 0) throw refuse(fmt::format("{} is {} (expected >= 0)", name, value));
  if (c.order.defined() && (c.order.dim() != 1 || c.order.scalar_type() != torch::kLong))
    throw refuse(fmt::format("order is {} {} (expected a 1-D int64 permutation)", c10::toString(c.order.scalar_type()),
                             c10::str(c.order.sizes())));
  const auto order_size = c.order.defined() ? c.order.numel() : 0;
  if (c.order_position > order_size)
    throw refuse(fmt::format("order_position {} is past the end of the {}-element order", c.order_position, order_size));
  if (c.generator_state.scalar_type() != torch::kUInt8 || c.generator_state.dim() != 1)
    throw refuse("generator_state is not a 1-D uint8 tensor");
  return c;
}

}  // namespace retrain
