// network_size: counts over parameters() and buffers().
#include "retrain/models/network_size.hpp"

namespace retrain {

nlohmann::json network_size(const torch::nn::Module& net) {
  std::int64_t params = 0, buffers = 0, bytes = 0;
  for (const auto& p : net.parameters()) params += p.numel(), bytes += p.numel() * p.element_size();
  for (const auto& b : net.buffers()) buffers += b.numel(), bytes += b.numel() * b.element_size();
  return {{"parameters", params}, {"buffers", buffers}, {"bytes", bytes}};
}

}  // namespace retrain
