// state_dict / load_state_dict: by-name copies with errors that say which file and tensor is wrong.
#include "retrain/core/errors.hpp"
#include "retrain/models/state_dict.hpp"

#include <fmt/format.h>

namespace retrain {

TensorMap state_dict(const torch::nn::Module& module) {
  TensorMap out;
  for (const auto& p : module.named_parameters()) out.emplace(p.key(), p.value().detach());
  for (const auto& b : module.named_buffers()) out.emplace(b.key(), b.value().detach());
  return out;
}

void load_state_dict(torch::nn::Module& module, const TensorMap& state, const std::filesystem::path& source) {
  const auto own = state_dict(module);
  for (const auto& [name, value] : state)
    if (!own.count(name))
      throw CorruptFile(fmt::format("'{}' holds tensor '{}', which the network does not have", source.string(), name));
  torch::NoGradGuard no_grad;
  for (const auto& [name, target] : own) {
    auto it = state.find(name);
    if (it == state.end())
      throw CorruptFile(fmt::format("'{}' lacks tensor '{}'", source.string(), name));
    if (it->second.sizes() != target.sizes())
      throw CorruptFile(fmt::format("'{}': tensor '{}' has shape {}, the network expects {}", source.string(),
                                           name, c10::str(it->second.sizes()), c10::str(target.sizes())));
    if (it->second.scalar_type() != target.scalar_type())
      throw CorruptFile(fmt::format("'{}': tensor '{}' is {}, the network expects {}", source.string(), name,
                                           c10::toString(it->second.scalar_type()), c10::toString(target.scalar_type())));
    target.copy_(it->second);
  }
}

}  // namespace retrain
