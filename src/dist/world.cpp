// World: a TCPStore for the rendezvous (rank 0 hosts it unless torchrun's agent does), prefixed by the
// restart count, and the backend of the device: Gloo (its headers' gloo declarations are ours, see
// gloo_declarations/gloo/README.md) or, in a CUDA build, NCCL.
#include "retrain/dist/world.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/cuda.h>
#ifdef RETRAIN_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <map>

#include "retrain/core/errors.hpp"
#include "retrain/core/signals.hpp"

namespace retrain {

struct World::Group {
  c10::intrusive_ptr<c10d::Backend> backend;
  std::chrono::milliseconds timeout;
  // The last copy of the World shuts the backend down (NCCL frees its communicators; without it,
  // torch warns that the process group was not destroyed).
  ~Group() {
    try {
      backend->shutdown();
    } catch (const std::exception& e) {
      spdlog::warn("closing the process group: {}", e.what());  // e.g. a peer that is gone already
    }
  }
};

namespace {

std::string seconds(std::chrono::milliseconds t) { return fmt::format("{:g} s", static_cast<double>(t.count()) / 1000); }

c10::intrusive_ptr<c10d::Backend> make_backend(const c10::intrusive_ptr<c10d::Store>& store, const Placement& p,
                                              torch::Device device, std::chrono::milliseconds timeout) {
  if (device.is_cuda()) {
#ifdef RETRAIN_WITH_CUDA
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    auto nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, p.rank, p.world_size, options);
    nccl->setBoundDeviceId(device);  // as init_process_group(device_id=...): communicators on this rank's GPU only
    return nccl;
#else
    throw DistError("a CUDA run on several processes needs NCCL: build retrain with its CUDA kernels (RETRAIN_CUDA=ON)");
#endif
  }
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  // GLOO_SOCKET_IFNAME picks the network interface (as in PyTorch); else this host's address.
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
  else
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, p.rank, p.world_size, options);
}

}  // namespace

World::World() = default;

World World::join(const Placement& p, torch::Device device, std::chrono::milliseconds timeout) {
  World world;
  world.rank_ = p.rank;
  world.size_ = p.world_size;
  world.local_rank_ = p.local_rank;
  if (!p.distributed()) return world;
  if (device.is_cuda()) {
    world.device_ = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(
                                                    cuda_device_index(p, static_cast<int>(torch::cuda::device_count()))));
#ifdef RETRAIN_WITH_CUDA
    // The current device too: streams (GraphedCall's capture), NCCL and every tensor made without an
    // explicit device go to this rank's GPU, not to GPU 0.
    c10::cuda::set_device(world.device_.index());
#endif
  } else {
    world.device_ = device;
  }
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(p.master_port);
    options.isServer = p.rank == 0 && !p.agent_hosts_store;
    options.numWorkers = p.agent_hosts_store ? std::nullopt : std::optional<std::size_t>(p.world_size);
    options.waitWorkers = false;
    options.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(p.master_addr, options);
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(fmt::format("retrain/{}", p.restart), store);
    world.group_ = std::make_shared<Group>(Group{make_backend(prefixed, p, world.device_, timeout), timeout});
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    throw DistError(fmt::format("rank {} of {}: cannot join the process group at {}:{} within {} ({} launch): {}",
                                p.rank, p.world_size, p.master_addr, p.master_port, seconds(timeout), p.launcher,
                                e.what()));
  }
  world.barrier();
  return world;
}

namespace {

// Waits for `work`, turning a failure or a timeout into one DistError naming who saw it.
void finish(const c10::intrusive_ptr<c10d::Work>& work, const char* what, int rank, int size,
            std::chrono::milliseconds timeout) {
  try {
    if (!work->wait(timeout)) throw RuntimeFailure("the operation did not complete");
  } catch (const std::exception& e) {
    std::string reason = e.what();
    if (const auto newline = reason.find('\n'); newline != std::string::npos) reason.resize(newline);
    throw DistError(fmt::format("rank {} of {}: {} failed within dist.timeout_s = {} (another rank died, hangs or "
                                "left early): {}", rank, size, what, seconds(timeout), reason));
  }
}

// `tensors` gathered into one flat buffer per dtype (a collective then takes shapes that differ).
struct FlatBuffer {
  std::vector<torch::Tensor> members;
  std::vector<torch::Tensor> flat;  // one tensor: the list c10d's calls take
};

std::vector<FlatBuffer> flatten_by_dtype(const std::vector<torch::Tensor>& tensors) {
  std::map<c10::ScalarType, std::vector<torch::Tensor>> by_dtype;
  for (const auto& t : tensors) by_dtype[t.scalar_type()].push_back(t);
  std::vector<FlatBuffer> buffers;
  for (auto& [dtype, group] : by_dtype) {
    std::vector<torch::Tensor> parts;
    for (const auto& t : group) parts.push_back(t.reshape(-1));
    buffers.push_back({group, {torch::cat(parts)}});
  }
  return buffers;
}

// Writes each buffer's slices back into the tensors it was gathered from.
void unflatten(const std::vector<FlatBuffer>& buffers) {
  for (const auto& buffer : buffers) {
    std::int64_t offset = 0;
    for (const auto& t : buffer.members) {
      t.copy_(buffer.flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

}  // namespace

PendingSum World::start_sum(const std::vector<torch::Tensor>& tensors) const {
  if (!distributed() || tensors.empty()) return {};
  auto buffers = flatten_by_dtype(tensors);
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (auto& buffer : buffers) works.push_back(group_->backend->allreduce(buffer.flat, c10d::AllreduceOptions{}));
  return PendingSum([buffers = std::move(buffers), works = std::move(works), rank = rank_, size = size_,
                     timeout = group_->timeout] {
    for (const auto& work : works) finish(work, "all-reduce", rank, size, timeout);
    unflatten(buffers);
  });
}

void World::sum(const std::vector<torch::Tensor>& tensors) const { start_sum(tensors).finish(); }

void World::broadcast(const std::vector<torch::Tensor>& tensors) const {
  if (!distributed() || tensors.empty()) return;
  auto buffers = flatten_by_dtype(tensors);
  for (auto& buffer : buffers)
    finish(group_->backend->broadcast(buffer.flat, c10d::BroadcastOptions{}), "broadcast", rank_, size_, group_->timeout);
  unflatten(buffers);
}

void World::barrier() const {
  if (!distributed()) return;
  finish(group_->backend->barrier(c10d::BarrierOptions{}), "barrier", rank_, size_, group_->timeout);
}

bool World::any(bool flag) const {
  if (!distributed()) return flag;
  auto count = torch::full({1}, flag ? 1 : 0, torch::TensorOptions(torch::kLong).device(device_));
  sum({count});
  return count.item<std::int64_t>() > 0;
}

std::int64_t World::from_root(std::int64_t value) const {
  if (!distributed()) return value;
  auto t = torch::full({1}, value, torch::TensorOptions(torch::kLong).device(device_));
  broadcast({t});
  return t.item<std::int64_t>();
}

void World::root_first(const std::function<void()>& work) const {
  if (root()) work();
  barrier();
  if (!root()) work();
}

bool any_rank_stopped(const World& world) { return world.any(stop_requested()); }

bool stop_check_due(const World& world, std::int64_t step) {
  return !world.distributed() || step % kStopCheckSteps == 0;
}

void throw_stopped(const std::string& where) {
  throw_if_stop_requested(where.c_str());
  throw Interrupted(fmt::format("stopped because another rank received a stop signal, while {}", where));
}

void throw_if_any_rank_stopped(const World& world, const std::string& where) {
  if (any_rank_stopped(world)) throw_stopped(where);
}

}  // namespace retrain
