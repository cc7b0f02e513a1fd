// bench/flop_count's analytic FLOPs against an independent count of a real forward pass: an ATen
// RecordFunction observer sees every convolution, matrix product, attention and GroupNorm call with its
// actual tensor shapes and counts their FLOPs, for small networks of every variant and the paper configs'.
#include <ATen/record_function.h>
#include <gtest/gtest.h>

#include "flop_count.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/models/make_network.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

using Shapes = std::vector<std::vector<std::int64_t>>;

// Input shapes are readable only in the start callback, so it hands them to the end callback.
struct InputShapes : at::ObserverContext {
  Shapes inputs;
};

std::int64_t numel(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

bench::FlopCount observed;  // what the callbacks have counted so far (they are plain function pointers)

std::unique_ptr<at::ObserverContext> record_inputs(const at::RecordFunction& fn) {
  auto context = std::make_unique<InputShapes>();
  for (const auto& v : fn.inputs())
    context->inputs.push_back(v.isTensor() ? v.toTensor().sizes().vec() : std::vector<std::int64_t>{});
  return context;
}

// FLOPs of one call from its shapes, 2 per multiply-add. Nested calls (aten::linear -> aten::addmm, the
// math attention's aten::bmm) are not among the names counted, so nothing is counted twice.
void count_call(const at::RecordFunction& fn, at::ObserverContext* context) {
  const std::string name = fn.name();
  const auto& in = static_cast<InputShapes*>(context)->inputs;
  if (name == "aten::conv2d") {  // weight [Cout, Cin/groups, kh, kw]: each output sums Cin/groups * kh * kw products
    const auto& w = in.at(1);
    observed.conv += 2 * numel(fn.outputs().at(0).toTensor().sizes().vec()) * w[1] * w[2] * w[3];
  } else if (name == "aten::conv_transpose2d") {  // weight [Cin, Cout/groups, kh, kw]: each input scatters to as many
    const auto& w = in.at(1);
    observed.conv += 2 * numel(in.at(0)) * w[1] * w[2] * w[3];
  } else if (name == "aten::mm") {
    observed.linear += 2 * in.at(0)[0] * in.at(0)[1] * in.at(1)[1];
  } else if (name == "aten::addmm") {  // (bias, a, b)
    observed.linear += 2 * in.at(1)[0] * in.at(1)[1] * in.at(2)[1];
  } else if (name == "aten::scaled_dot_product_attention") {  // q [B, L, E], k [B, S, E], v [B, S, Ev]
    const auto& q = in.at(0);
    const auto& v = in.at(2);
    const auto rows = numel(q) / q.back();  // B * L
    observed.attention += 2 * rows * v[v.size() - 2] * q.back() + 2 * rows * v[v.size() - 2] * v.back();
  } else if (name == "aten::group_norm") {
    observed.group_norm += bench::kGroupNormFlopsPerElement * numel(in.at(0));
  }
}

// The observed forward FLOPs per image of `net` on `batch` images (labels 0..batch-1 mod classes).
bench::FlopCount observed_flops(Denoiser& net, std::int64_t channels, std::int64_t resolution, std::int64_t batch,
                                std::int64_t classes = 0) {
  torch::NoGradGuard no_grad;
  net.eval();
  const auto x = torch::randn({batch, channels, resolution, resolution});
  const auto labels = classes > 0 ? torch::arange(batch) % classes : torch::Tensor();
  observed = {};
  const auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(&record_inputs, &count_call).needsInputs(true).needsOutputs(true));
  net.forward(x, torch::rand({batch}), labels);
  at::removeCallback(handle);
  const auto per_image = [&](std::int64_t flops) {
    EXPECT_EQ(flops % batch, 0) << flops << " FLOPs of a batch of " << batch << " do not split into equal images";
    return flops / batch;
  };
  return {per_image(observed.conv), per_image(observed.linear), per_image(observed.attention),
          per_image(observed.group_norm)};
}

void expect_equal(const bench::FlopCount& analytic, const bench::FlopCount& seen, const std::string& what) {
  EXPECT_EQ(analytic.conv, seen.conv) << what << ": convolutions";
  EXPECT_EQ(analytic.linear, seen.linear) << what << ": linear layers";
  EXPECT_EQ(analytic.attention, seen.attention) << what << ": attention";
  EXPECT_EQ(analytic.group_norm, seen.group_norm) << what << ": GroupNorm";
  EXPECT_GT(seen.conv, 0) << what;
  EXPECT_GT(seen.attention, 0) << what;
}

// RecordFunction::inputs() asserts in translation units built without NDEBUG (the release LibTorch never
// marks the inputs valid), so the observer only works in release builds of the tests.
bool observer_works() {
#ifdef NDEBUG
  return true;
#else
  return false;
#endif
}

SongUNetOptions small_song_unet() {
  auto o = SongUNetOptions::ddpmpp(16, 3);
  o.model_channels = 16;
  o.channel_mult = {1, 2, 2};
  o.num_blocks = 2;
  o.attn_resolutions = {8};
  return o;
}

TEST(FlopCount, SongUNetVariantsMatchTheObservedForwardPass) {
  if (!observer_works()) GTEST_SKIP() << "needs a build with NDEBUG (RecordFunction::inputs)";
  auto ddpmpp = small_song_unet();
  auto ncsnpp = SongUNetOptions::ncsnpp(16, 3);  // residual encoder, FIR filter [1, 3, 3, 1], Fourier embedding
  ncsnpp.model_channels = 16;
  ncsnpp.channel_mult = {1, 2, 2};
  ncsnpp.num_blocks = 1;
  ncsnpp.attn_resolutions = {16, 4};
  auto skips = small_song_unet();  // skip encoder and decoder, conditional, augmentation labels, 1 channel
  skips.encoder_type = UNetEncoder::skip;
  skips.decoder_type = UNetDecoder::skip;
  skips.label_dim = 5;
  skips.augment_dim = 9;
  skips.in_channels = skips.out_channels = 1;
  skips.model_channels = 64;
  skips.channel_mult = {1, 2};
  skips.num_blocks = 1;
  const std::vector<std::pair<std::string, SongUNetOptions>> variants = {
      {"ddpmpp", ddpmpp}, {"ncsnpp", ncsnpp}, {"skip encoder/decoder", skips}};
  for (const auto& [name, o] : variants) {
    torch::manual_seed(0);
    SongUNet net(o);
    expect_equal(bench::forward_flops(o), observed_flops(net, o.in_channels, o.img_resolution, 2, o.label_dim), name);
  }
}

TEST(FlopCount, DdpmUNetMatchesTheObservedForwardPass) {
  if (!observer_works()) GTEST_SKIP() << "needs a build with NDEBUG (RecordFunction::inputs)";
  DdpmUNetOptions o;
  o.img_resolution = 16;
  o.hid_channels = 32;
  o.ch_multipliers = {1, 2, 2};
  o.num_res_blocks = 2;
  o.apply_attn = {false, true, false};
  torch::manual_seed(0);
  DdpmUNet net(o);
  expect_equal(bench::forward_flops(o), observed_flops(net, o.in_channels, o.img_resolution, 2), "ddpm_unet");
}

// The networks the benchmark measures, built from the shipped configs as a run builds them (one image each).
TEST(FlopCount, PaperConfigNetworksMatchTheObservedForwardPass) {
  if (!observer_works()) GTEST_SKIP() << "needs a build with NDEBUG (RecordFunction::inputs)";
  for (const char* file : {"cifar_edm.yaml", "ffhq_edm.yaml", "cifar_ddpm.yaml"}) {
    const auto config = load_config_file(std::filesystem::path(test::kSourceDir) / "configs" / file);
    const auto resolution = config.data.resolution;
    torch::manual_seed(0);
    const auto net = make_network(config.model, {3, resolution, resolution}, 0);
    expect_equal(bench::forward_flops(*net), observed_flops(*net, 3, resolution, 1), file);
  }
}

TEST(FlopCount, RejectsNetworksOtherThanTheImageUNets) {
  ModelOptions mlp;
  mlp.arch = Arch::mlp;
  const auto net = make_network(mlp, {2}, 0);
  const auto message = test::message_of<std::invalid_argument>([&] { bench::forward_flops(*net); });
  EXPECT_TRUE(test::contains(message, "neither a SongUNet nor a DdpmUNet")) << message;
}

}  // namespace
}  // namespace retrain
