// DdpmUNet: ddpm-torch's residual and attention blocks, the level-by-level module tree and the forward pass.
#include "retrain/models/ddpm_unet.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <cmath>

#include "retrain/core/errors.hpp"
#include "retrain/core/require.hpp"
#include "retrain/models/attention.hpp"
#include "retrain/models/state_dict.hpp"

namespace retrain {
namespace {

namespace nn = torch::nn;

// ddpm-torch's DEFAULT_INITIALIZER: xavier_uniform with gain sqrt(scale) (scale 0 -> 1e-10), zero bias.
template <typename Layer>
Layer init_layer(Layer layer, double scale = 1.0) {
  torch::NoGradGuard no_grad;
  nn::init::xavier_uniform_(layer->weight, std::sqrt(scale == 0.0 ? 1e-10 : scale));
  nn::init::zeros_(layer->bias);
  return layer;
}

nn::Conv2d conv(std::int64_t cin, std::int64_t cout, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                double scale = 1.0) {
  return init_layer(nn::Conv2d(nn::Conv2dOptions(cin, cout, kernel).stride(stride).padding(padding)), scale);
}

nn::GroupNorm group_norm(std::int64_t channels) { return nn::GroupNorm(nn::GroupNormOptions(32, channels).eps(1e-6)); }

class ResidualBlockImpl : public nn::Module {
 public:
  ResidualBlockImpl(std::int64_t cin, std::int64_t cout, std::int64_t embed_dim, double drop_rate) : drop_rate_(drop_rate) {
    norm1_ = register_module("norm1", group_norm(cin));
    conv1_ = register_module("conv1", conv(cin, cout, 3, 1, 1));
    fc_ = register_module("fc", init_layer(nn::Linear(embed_dim, cout)));
    norm2_ = register_module("norm2", group_norm(cout));
    conv2_ = register_module("conv2", conv(cout, cout, 3, 1, 1, 0.0));
    if (cin != cout) skip_ = register_module("skip", conv(cin, cout, 1, 1, 0));
  }

  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t_emb) {
    auto h = conv1_(torch::silu(norm1_(x)));
    h = h + fc_(torch::silu(t_emb)).unsqueeze(2).unsqueeze(3);
    h = conv2_(torch::dropout(torch::silu(norm2_(h)), drop_rate_, is_training()));
    return h + (skip_ ? skip_(x) : x);
  }

 private:
  double drop_rate_;
  nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
  nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
  nn::Linear fc_{nullptr};
};
TORCH_MODULE(ResidualBlock);

// Single-head self-attention; project_in's output channels are [q | k | v] (chunked, not interleaved).
class AttentionBlockImpl : public nn::Module {
 public:
  explicit AttentionBlockImpl(std::int64_t channels) {
    norm_ = register_module("norm", group_norm(channels));
    project_in_ = register_module("project_in", conv(channels, 3 * channels, 1, 1, 0));
    project_out_ = register_module("project_out", conv(channels, channels, 1, 1, 0, 0.0));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    const auto qkv = project_in_(norm_(x)).flatten(2).chunk(3, 1);  // each [B, C, HW]
    return project_out_(channel_attention(qkv[0], qkv[1], qkv[2]).reshape(x.sizes())) + x;
  }

 private:
  nn::GroupNorm norm_{nullptr};
  nn::Conv2d project_in_{nullptr}, project_out_{nullptr};
};
TORCH_MODULE(AttentionBlock);

}  // namespace

torch::Tensor ddpm_timestep_embedding(const torch::Tensor& t, std::int64_t dim) {
  const auto half = dim / 2;
  const auto step = std::log(10000.0) / static_cast<double>(half - 1);
  const auto freqs = torch::exp(torch::arange(half, t.options().dtype(torch::kFloat32)) * -step);
  const auto angles = torch::outer(t.reshape(-1).to(torch::kFloat32), freqs);
  return torch::cat({angles.sin(), angles.cos()}, 1);
}

DdpmUNet::DdpmUNet(const DdpmUNetOptions& o)
    : options_(o), temb_dim_(o.time_embedding_dim > 0 ? o.time_embedding_dim : 4 * o.hid_channels) {
  const auto levels = static_cast<std::int64_t>(o.ch_multipliers.size());
  require(levels >= 1 && static_cast<std::int64_t>(o.apply_attn.size()) == levels, "DdpmUNet", "ch_multipliers/apply_attn",
          "non-empty lists of the same length");
  require(o.img_resolution % (std::int64_t{1} << (levels - 1)) == 0 && o.img_resolution >= 1, "DdpmUNet", "img_resolution",
          fmt::format("a positive multiple of 2^(levels-1) = {}", std::int64_t{1} << (levels - 1)));
  require(o.hid_channels >= 32 && o.hid_channels % 32 == 0, "DdpmUNet", "hid_channels", "a multiple of 32 (GroupNorm's 32 groups)");
  require(o.num_res_blocks >= 1, "DdpmUNet", "num_res_blocks", ">= 1");
  require(o.num_classes >= 0, "DdpmUNet", "num_classes", ">= 0");
  require(o.drop_rate >= 0 && o.drop_rate < 1, "DdpmUNet", "drop_rate", "in [0, 1)");
  const auto ch = o.hid_channels;
  std::vector<std::int64_t> chs;
  for (auto m : o.ch_multipliers) chs.push_back(ch * m);

  embed_ = register_module("embed", nn::Sequential(init_layer(nn::Linear(ch, temb_dim_)), nn::SiLU(),
                                                   init_layer(nn::Linear(temb_dim_, temb_dim_))));
  if (o.num_classes > 0) class_embed_ = register_module("class_embed", nn::Embedding(o.num_classes, temb_dim_));
  in_conv_ = register_module("in_conv", conv(o.in_channels, ch, 3, 1, 1));

  downsamples_ = register_module("downsamples", nn::ModuleDict());
  for (std::int64_t level = 0; level < levels; ++level) {
    nn::ModuleList list;
    std::vector<Stage> stages;
    const auto prev = level > 0 ? chs[level - 1] : ch;
    for (std::int64_t j = 0; j < o.num_res_blocks; ++j) stages.push_back(make_stage(list, level, j ? chs[level] : prev, chs[level]));
    nn::Sequential resample{nullptr};
    if (level != levels - 1) {  // SamePad2d(3, 2) on an even size pads one row/column at the bottom/right
      resample = nn::Sequential(nn::ZeroPad2d(nn::ZeroPad2dOptions({0, 1, 0, 1})), conv(chs[level], chs[level], 3, 2, 0));
      list->push_back(resample);
    }
    downsamples_->update(std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{
        {fmt::format("level_{}", level), list.ptr()}});
    down_stages_.push_back(std::move(stages));
    down_resample_.push_back(resample);
  }

  middle_ = register_module("middle", nn::ModuleList());
  const auto mid = chs.back();
  middle_first_ = {ResidualBlock(mid, mid, temb_dim_, o.drop_rate).ptr(), AttentionBlock(mid).ptr()};
  middle_second_ = {ResidualBlock(mid, mid, temb_dim_, o.drop_rate).ptr(), nullptr};
  for (const auto& m : {middle_first_.residual, middle_first_.attention, middle_second_.residual}) middle_->push_back(m);

  upsamples_ = register_module("upsamples", nn::ModuleDict());
  up_stages_.resize(levels);
  up_resample_.assign(levels, nn::Sequential(nullptr));
  for (std::int64_t level = 0; level < levels; ++level) {
    nn::ModuleList list;
    const auto next = level == 0 ? ch : chs[level - 1];
    const auto prev = level == levels - 1 ? chs.back() : chs[level + 1];
    const auto curr = chs[level];
    auto& stages = up_stages_[level];
    stages.push_back(make_stage(list, level, prev + curr, curr));
    for (std::int64_t j = 1; j < o.num_res_blocks; ++j) stages.push_back(make_stage(list, level, 2 * curr, curr));
    stages.push_back(make_stage(list, level, next + curr, curr));
    if (level != 0) {
      up_resample_[level] = nn::Sequential(
          nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest)),
          conv(curr, curr, 3, 1, 1));
      list->push_back(up_resample_[level]);
    }
    upsamples_->update(std::vector<std::pair<std::string, std::shared_ptr<nn::Module>>>{
        {fmt::format("level_{}", level), list.ptr()}});
  }
  out_conv_ = register_module("out_conv", nn::Sequential(group_norm(ch), nn::SiLU(), conv(ch, o.out_channels, 3, 1, 1, 0.0)));
}

DdpmUNet::Stage DdpmUNet::make_stage(nn::ModuleList& list, std::int64_t level, std::int64_t cin, std::int64_t cout) {
  Stage stage{ResidualBlock(cin, cout, temb_dim_, options_.drop_rate).ptr(), nullptr};
  if (!options_.apply_attn[level]) {
    list->push_back(stage.residual);
    return stage;
  }
  stage.attention = AttentionBlock(cout).ptr();
  nn::ModuleList pair;  // names <j>.0 (residual) and <j>.1 (attention), as ddpm-torch's Sequential
  pair->push_back(stage.residual);
  pair->push_back(stage.attention);
  list->push_back(pair);
  return stage;
}

torch::Tensor DdpmUNet::run_stage(const Stage& stage, const torch::Tensor& x, const torch::Tensor& t_emb) const {
  auto h = stage.residual->as<ResidualBlockImpl>()->forward(x, t_emb);
  return stage.attention ? stage.attention->as<AttentionBlockImpl>()->forward(h) : h;
}

torch::Tensor DdpmUNet::forward(const torch::Tensor& x, const torch::Tensor& noise_level, const torch::Tensor& labels) {
  const auto& o = options_;
  TORCH_CHECK(x.dim() == 4 && x.size(1) == o.in_channels && x.size(2) == o.img_resolution &&
                  x.size(3) == o.img_resolution,
              "DdpmUNet expects x [N, ", o.in_channels, ", ", o.img_resolution, ", ", o.img_resolution, "], got ",
              x.sizes());
  TORCH_CHECK(noise_level.dim() == 1 && noise_level.size(0) == x.size(0), "DdpmUNet expects noise_level [", x.size(0),
              "], got ", noise_level.sizes());
  auto t_emb = embed_->forward(ddpm_timestep_embedding(noise_level, o.hid_channels).to(x.scalar_type()));
  if (class_embed_) {
    TORCH_CHECK(labels.defined(), "DdpmUNet with ", o.num_classes, " classes needs labels");
    const auto l = labels.to(torch::kLong);  // -1: no class (zero embedding), for guidance
    t_emb = t_emb + class_embed_(l.clamp_min(0)) * l.ge(0).unsqueeze(1).to(t_emb.scalar_type());
  }

  std::vector<torch::Tensor> hs{in_conv_(x)};
  for (std::size_t level = 0; level < down_stages_.size(); ++level) {
    for (const auto& stage : down_stages_[level]) hs.push_back(run_stage(stage, hs.back(), t_emb));
    if (down_resample_[level]) hs.push_back(down_resample_[level]->forward(hs.back()));
  }
  auto h = run_stage(middle_second_, run_stage(middle_first_, hs.back(), t_emb), t_emb);
  for (auto level = static_cast<std::int64_t>(up_stages_.size()) - 1; level >= 0; --level) {
    for (const auto& stage : up_stages_[level]) {
      h = run_stage(stage, torch::cat({h, hs.back()}, 1), t_emb);
      hs.pop_back();
    }
    if (up_resample_[level]) h = up_resample_[level]->forward(h);
  }
  return out_conv_->forward(h);
}

std::shared_ptr<Denoiser> DdpmUNet::replicate() const { return replicate_network(*this); }

}  // namespace retrain
