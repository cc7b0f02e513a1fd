// One source of truth per key: every value the config accepts for a key of the network, method or
// training sections is one the component accepts too. Each such key is set to the extremes the key
// table allows (KeySpec::smallest, largest) on a point and on an image config; when the config takes the value
// (a cross-key rule may refuse it, naming the keys), the network, the method and the Trainer are built
// from it and must not refuse.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <set>

#include "retrain/loop/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/diffusion/make_method.hpp"
#include "retrain/models/make_network.hpp"
#include "retrain/train/trainer.hpp"

namespace retrain {
namespace {

struct Base {
  const char* name;
  const char* yaml;
  std::vector<std::int64_t> sample_shape;
};

const Base kBases[] = {
    {"points", "learner: {type: diffusion}\ndata: {source: toy2d}\nmodel: {arch: mlp, width: 8, depth: 1, embedding_dim: 4}\n",
     {2}},
    {"ddpmpp images",
     "learner: {type: diffusion}\ndata: {source: image, path: x, resolution: 8}\n"
     "model: {arch: ddpmpp, channels: 4, channel_mult: [1, 1], num_blocks: 1, attn_resolutions: [4]}\n",
     {3, 8, 8}},
    {"ddpm_unet images",
     "learner: {type: diffusion}\ndata: {source: image, path: x, resolution: 8}\nmethod: {type: ddpm}\n"
     "model: {arch: ddpm_unet, channels: 32, channel_mult: [1, 1], num_blocks: 1, attn_resolutions: [4]}\n",
     {3, 8, 8}},
};

// Upper limits that bound memory, not validity: a network at the largest width the config allows
// would take gigabytes to build, and no component has an upper limit of its own there.
const std::set<std::string> kSizeCaps = {"model.width", "model.depth", "model.embedding_dim", "model.channels"};

bool component_key(const std::string& path) {
  return path.starts_with("model.") || path.starts_with("method.") || path.starts_with("train.");
}

TEST(ConfigExtremes, EveryValueTheConfigAcceptsTheComponentsAccept) {
  for (const auto& base : kBases) ASSERT_NO_THROW(load_config_text(base.yaml, base.name)) << base.name;
  int built = 0;
  for (const auto& spec : config_keys()) {
    if (!component_key(spec.path)) continue;
    std::vector<double> extremes;
    if (spec.smallest) extremes.push_back(*spec.smallest);
    if (spec.largest && !kSizeCaps.contains(spec.path)) extremes.push_back(*spec.largest);
    for (const double value : extremes) {
      for (const auto& base : kBases) {
        const auto text = spec.type == "integer" ? fmt::format("{}", static_cast<std::int64_t>(value))
                                                 : fmt::format("{:.17g}", value);
        Config c;
        try {
          c = load_config_text(base.yaml, base.name, {Override{spec.path, text}});
        } catch (const UsageError&) {
          continue;  // a cross-key rule refuses it at load, naming the key: also one source of truth
        }
        const auto where = fmt::format("{} = {} on the {} config", spec.path, text, base.name);
        try {
          const auto net = make_network(c.model, base.sample_shape, 0);
          const auto method = make_method(c.method);
          Trainer trainer(net, method, c.train);
          ++built;
        } catch (const std::exception& e) {
          ADD_FAILURE() << where << ": the config accepts it but a component refuses it: " << e.what();
        }
      }
    }
  }
  EXPECT_GT(built, 100) << "too few extremes reached the components";
}

}  // namespace
}  // namespace retrain
