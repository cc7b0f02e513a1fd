// Config loading: YAML -> typed Config through a table of key specifications (one per key), so
// validation, the resolved-config writer and the reference docs all come from the same table.
#include "retrain/core/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <limits>
#include <set>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Where a value came from, for messages: "file.yaml:12:5" or "--set loop.lambda=2".
using WhereFn = std::function<std::string(const std::string& path, const YAML::Node& node)>;

struct KeySpec {
  std::string path, type, allowed, doc;
  std::function<void(Config&, const YAML::Node&, const std::string& where)> read;
  std::function<YAML::Node(const Config&)> write;
};

std::string show(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

[[noreturn]] void bad_value(const std::string& where, const std::string& path, const YAML::Node& node,
                            const std::string& expected) {
  throw UsageError(fmt::format("{}: key '{}' expects {}, got {}", where, path, expected, show(node)));
}

template <class T>
T convert(const YAML::Node& node, const std::string& where, const std::string& path, const std::string& expected) {
  if (!node.IsScalar()) bad_value(where, path, node, expected);
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    bad_value(where, path, node, expected);
  }
}

// Which ends of a number's range are excluded (e.g. a learning rate > 0, Adam's beta < 1).
enum class Open { none, low, high };

std::string range_text(double lo, double hi, Open open) {
  if (lo == -kInf && hi == kInf) return "";
  if (hi == kInf) return fmt::format("{} {}", open == Open::low ? ">" : ">=", lo);
  if (lo == -kInf) return fmt::format("{} {}", open == Open::high ? "<" : "<=", hi);
  return fmt::format("in {}{}, {}{}", open == Open::low ? "(" : "[", lo, hi, open == Open::high ? ")" : "]");
}

template <class T, class Access>
KeySpec number(std::string path, Access access, double lo, double hi, std::string doc, Open open = Open::none) {
  const bool integral = std::is_integral_v<T>;
  std::string type = integral ? "integer" : "number";
  std::string allowed = range_text(lo, hi, open);
  const std::string article = integral ? "an " : "a ";
  std::string expected = article + type + (allowed.empty() ? "" : " " + allowed);
  KeySpec spec{path, type, allowed, std::move(doc), {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    T value = convert<T>(node, where, path, expected);
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(value)) bad_value(where, path, node, expected);
    }
    const auto v = static_cast<double>(value);
    if (v < lo || v > hi || (open == Open::low && v == lo) || (open == Open::high && v == hi))
      bad_value(where, path, node, expected);
    access(c) = value;
  };
  spec.write = [=](const Config& c) { return YAML::Node(access(const_cast<Config&>(c))); };
  return spec;
}

template <class Access>
KeySpec text(std::string path, Access access, std::vector<std::string> choices, std::string doc) {
  std::string allowed = choices.empty() ? "" : fmt::format("{}", fmt::join(choices, ", "));
  KeySpec spec{path, "string", allowed, std::move(doc), {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    std::string expected = choices.empty() ? "a string" : "one of " + allowed;
    auto value = convert<std::string>(node, where, path, expected);
    if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end())
      bad_value(where, path, node, expected);
    access(c) = value;
  };
  spec.write = [=](const Config& c) { return YAML::Node(access(const_cast<Config&>(c))); };
  return spec;
}

template <class Access>
KeySpec flag(std::string path, Access access, std::string doc) {
  KeySpec spec{path, "boolean", "true, false", std::move(doc), {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    access(c) = convert<bool>(node, where, path, "true or false");
  };
  spec.write = [=](const Config& c) { return YAML::Node(access(const_cast<Config&>(c))); };
  return spec;
}

std::vector<double> number_list(const YAML::Node& node, const std::string& where, const std::string& path,
                                const std::string& expected) {
  if (!node.IsSequence()) bad_value(where, path, node, expected);
  std::vector<double> values;
  for (const auto& item : node) {
    auto v = convert<double>(item, where, path, expected);
    if (!std::isfinite(v)) bad_value(where, path, node, expected);
    values.push_back(v);
  }
  return values;
}

template <class Access>
KeySpec vector_key(std::string path, Access access, std::string doc) {
  KeySpec spec{path, "list of numbers", "", std::move(doc), {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    access(c) = number_list(node, where, path, "a list of numbers");
  };
  spec.write = [=](const Config& c) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (double v : access(const_cast<Config&>(c))) n.push_back(v);
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  };
  return spec;
}

template <class Access>
KeySpec text_list(std::string path, Access access, std::string doc) {
  KeySpec spec{path, "list of strings", "", std::move(doc), {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    const std::string expected = "a list of strings";
    if (!node.IsSequence()) bad_value(where, path, node, expected);
    std::vector<std::string> values;
    for (const auto& item : node) values.push_back(convert<std::string>(item, where, path, expected));
    access(c) = values;
  };
  spec.write = [=](const Config& c) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (const auto& v : access(const_cast<Config&>(c))) n.push_back(v);
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  };
  return spec;
}

template <class Access>
KeySpec matrix_key(std::string path, Access access, std::string doc) {
  KeySpec spec{path, "list of lists of numbers", "", std::move(doc), {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    const std::string expected = "a list of rows, each a list of numbers";
    if (!node.IsSequence()) bad_value(where, path, node, expected);
    std::vector<std::vector<double>> rows;
    for (const auto& row : node) rows.push_back(number_list(row, where, path, expected));
    access(c) = rows;
  };
  spec.write = [=](const Config& c) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (const auto& row : access(const_cast<Config&>(c))) {
      YAML::Node r(YAML::NodeType::Sequence);
      for (double v : row) r.push_back(v);
      r.SetStyle(YAML::EmitterStyle::Flow);
      n.push_back(r);
    }
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  };
  return spec;
}

// Every key, in the order the resolved config and the docs list them.
const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> table = [] {
    std::vector<KeySpec> t;
    t.push_back(number<std::uint64_t>("seed", [](Config& c) -> auto& { return c.seed; }, 0, kInf,
        "Run seed. Every random stream derives from (seed, generation, purpose), so runs and resumes are reproducible."));
    t.push_back(text("name", [](Config& c) -> auto& { return c.name; }, {},
        "Run name: the run directory is out/name. Empty: the config file's name without extension."));
    t.push_back(text("out", [](Config& c) -> auto& { return c.out; }, {},
        "Parent directory of run directories."));
    t.push_back(text("device", [](Config& c) -> auto& { return c.device; }, {"auto", "cpu", "cuda"},
        "Compute device; auto picks cuda when a GPU is visible."));
    t.push_back(flag("gpu.cudnn_benchmark", [](Config& c) -> auto& { return c.gpu.cudnn_benchmark; },
        "CUDA: let cuDNN time its convolution algorithms for each new shape and keep the fastest (as NVlabs/edm)."));
    t.push_back(flag("gpu.tf32", [](Config& c) -> auto& { return c.gpu.tf32; },
        "CUDA: float32 matrix products and convolutions in TF32 (faster, 10-bit mantissa); false = full float32 "
        "(as NVlabs/edm's training). bf16 autocast (train.precision, method.sample_precision) is separate."));
    t.push_back(text("data.source", [](Config& c) -> auto& { return c.data.source; }, {"gaussian", "toy2d", "image"},
        "Real data source. gaussian: N(data.mean, data.cov) in data.dim dimensions; toy2d: a 2-D toy set (data.name); "
        "image: an image data set (data.format, data.path)."));
    t.push_back(text("data.name", [](Config& c) -> auto& { return c.data.name; }, {},
        "toy2d: 8gaussians, 2spirals, checkerboard, moons, circles, pinwheel, swissroll or rings (FFJORD's sets)."));
    t.push_back(number<double>("data.noise", [](Config& c) -> auto& { return c.data.noise; }, -1, kInf,
        "toy2d: the set's noise parameter (e.g. 8gaussians' per-mode std before scaling); -1 = the reference value."));
    t.push_back(number<std::int64_t>("data.n", [](Config& c) -> auto& { return c.data.n; }, 0, kInf,
        "n: number of real samples the model is trained on (image: a seeded subset of the data set; 0 = all of it)."));
    t.push_back(text("data.format", [](Config& c) -> auto& { return c.data.format; }, {"cifar10", "edm", "folder", "idx"},
        "image: cifar10 (the binary distribution's directory), edm (dataset_tool zip or folder with dataset.json), "
        "folder (PNG/JPEG files), idx (MNIST/Fashion-MNIST images file, .gz or raw)."));
    t.push_back(text("data.path", [](Config& c) -> auto& { return c.data.path; }, {},
        "image: the data set: cifar-10-batches-bin directory, zip/folder, image folder, or IDX images file."));
    t.push_back(text("data.labels", [](Config& c) -> auto& { return c.data.labels; }, {},
        "image, idx: the IDX labels file; \"\" = unlabelled."));
    t.push_back(text("data.split", [](Config& c) -> auto& { return c.data.split; }, {"train", "test"},
        "image, cifar10: data_batch_1..5 (train) or test_batch (test)."));
    t.push_back(number<std::int64_t>("data.pad_to", [](Config& c) -> auto& { return c.data.pad_to; }, 0, kInf,
        "image, idx: zero-pad (black) each image, centred, to pad_to x pad_to (28 -> 32 for the UNets); 0 = no padding."));
    t.push_back(number<std::int64_t>("data.resolution", [](Config& c) -> auto& { return c.data.resolution; }, 0, kInf,
        "image: every image must be resolution x resolution; 0 = no check."));
    t.push_back(flag("data.use_labels", [](Config& c) -> auto& { return c.data.use_labels; },
        "image: keep class labels and train a class-conditional model."));
    t.push_back(flag("data.class_from_subfolder", [](Config& c) -> auto& { return c.data.class_from_subfolder; },
        "image, folder: the class of an image is its first-level sub-folder (sorted names)."));
    t.push_back(flag("data.xflip", [](Config& c) -> auto& { return c.data.xflip; },
        "image: add a mirrored copy of every real image (EDM's --xflip)."));
    t.push_back(number<std::int64_t>("data.dim", [](Config& c) -> auto& { return c.data.dim; }, 1, 4096,
        "gaussian: dimension d."));
    t.push_back(vector_key("data.mean", [](Config& c) -> auto& { return c.data.mean; },
        "gaussian: true mean, d numbers; [] means zeros."));
    t.push_back(matrix_key("data.cov", [](Config& c) -> auto& { return c.data.cov; },
        "gaussian: true covariance, d rows of d numbers, symmetric positive definite; [] means identity."));
    t.push_back(text("learner.type", [](Config& c) -> auto& { return c.learner.type; }, {"gaussian", "diffusion"},
        "The generative model. gaussian: maximum-likelihood Gaussian (sample mean, 1/(n-1) covariance); "
        "diffusion: a denoiser network (model.arch) trained with method.type."));
    t.push_back(number<std::int64_t>("learner.replicas", [](Config& c) -> auto& { return c.learner.replicas; }, 1, kInf,
        "gaussian: independent chains run side by side (vectorised); metrics report their mean and standard "
        "error. diffusion: must be 1."));
    t.push_back(text("model.arch", [](Config& c) -> auto& { return c.model.arch; }, {"mlp", "ddpmpp", "ncsnpp", "ddpm_unet"},
        "diffusion: the network. mlp: residual MLP for points; ddpmpp / ncsnpp: EDM's SongUNet (Song et al. 2021); "
        "ddpm_unet: the U-Net of Ho et al. 2020 (ddpm-torch names)."));
    t.push_back(number<std::int64_t>("model.width", [](Config& c) -> auto& { return c.model.width; }, 1, 65536,
        "diffusion: hidden width of the MLP denoiser."));
    t.push_back(number<std::int64_t>("model.depth", [](Config& c) -> auto& { return c.model.depth; }, 1, 1024,
        "diffusion: residual blocks of the MLP denoiser."));
    t.push_back(number<std::int64_t>("model.embedding_dim", [](Config& c) -> auto& { return c.model.embedding_dim; }, 2, 65536,
        "diffusion: features of the noise-level embedding (even)."));
    t.push_back(text("model.embedding", [](Config& c) -> auto& { return c.model.embedding; }, {"positional", "fourier"},
        "mlp: noise-level embedding (positional as DDPM/ddpm++, random Fourier as ncsn++)."));
    t.push_back(number<std::int64_t>("model.channels", [](Config& c) -> auto& { return c.model.channels; }, 1, 4096,
        "unets: base channel count (SongUNet model_channels, DDPM hid_channels)."));
    t.push_back(vector_key("model.channel_mult", [](Config& c) -> auto& { return c.model.channel_mult; },
        "unets: channel multiplier per resolution level; [] = preset (ddpmpp/ncsnpp [2, 2, 2], ddpm_unet [1, 2, 2, 2])."));
    t.push_back(number<std::int64_t>("model.num_blocks", [](Config& c) -> auto& { return c.model.num_blocks; }, 0, 64,
        "unets: residual blocks per level; 0 = preset (ddpmpp/ncsnpp 4, ddpm_unet 2)."));
    t.push_back(vector_key("model.attn_resolutions", [](Config& c) -> auto& { return c.model.attn_resolutions; },
        "unets: resolutions with self-attention."));
    t.push_back(number<double>("model.dropout", [](Config& c) -> auto& { return c.model.dropout; }, 0, 0.999,
        "unets: dropout probability (EDM CIFAR-10 0.13, FFHQ 0.05; DDPM 0.1)."));
    t.push_back(number<double>("model.label_dropout", [](Config& c) -> auto& { return c.model.label_dropout; }, 0, 0.999,
        "ddpmpp/ncsnpp, conditional: probability of training a sample without its class (classifier-free guidance)."));
    t.push_back(number<std::int64_t>("model.augment_dim", [](Config& c) -> auto& { return c.model.augment_dim; }, 0, 1024,
        "ddpmpp/ncsnpp: augmentation-label features (9 in EDM's augmented nets; needed to load them); 0 = none."));
    t.push_back(text("method.type", [](Config& c) -> auto& { return c.method.type; }, {"ddpm", "edm", "cfm"},
        "diffusion: ddpm (epsilon prediction, linear betas), edm (Karras et al. 2022), cfm (conditional flow matching)."));
    t.push_back(text("method.sampler", [](Config& c) -> auto& { return c.method.sampler; },
        {"default", "ancestral", "ddim", "euler", "heun"},
        "diffusion: sampler; default = ancestral (ddpm), heun (edm), euler (cfm). ddpm takes ancestral|ddim, "
        "edm and cfm take euler|heun."));
    t.push_back(number<std::int64_t>("method.steps", [](Config& c) -> auto& { return c.method.steps; }, 0, kInf,
        "diffusion: sampler steps; 0 = the method's default (ddim 50, edm 18, cfm 100; ancestral always runs all T)."));
    t.push_back(number<double>("method.guidance", [](Config& c) -> auto& { return c.method.guidance; }, 0, kInf,
        "diffusion, conditional: classifier-free guidance weight w (out_uncond + w (out_cond - out_uncond)); 1 = none."));
    t.push_back(number<std::int64_t>("method.sample_batch", [](Config& c) -> auto& { return c.method.sample_batch; }, 1, kInf,
        "diffusion: samples per sampler call (memory vs speed; results do not depend on it)."));
    t.push_back(text("method.sample_precision", [](Config& c) -> auto& { return c.method.sample_precision; },
        {"fp32", "bf16"},
        "diffusion sampling: bf16 = the network's forward passes under bfloat16 autocast (the sampler's step "
        "arithmetic stays float64); fp32 = full float32. Effect on FID: docs/gpu.md."));
    t.push_back(text("method.noise", [](Config& c) -> auto& { return c.method.noise; }, {"philox", "torch"},
        "diffusion sampling: philox = counter-based noise made on the compute device (sample i depends only on its "
        "seed; identical on CPU and GPU; no host copies); torch = every draw from a CPU generator seeded with the "
        "sample's seed (initial latents equal torch.randn with torch.Generator().manual_seed(seed), as NVlabs/edm's "
        "generate.py on a CPU; slower on a GPU)."));
    t.push_back(number<std::int64_t>("method.ddpm.timesteps", [](Config& c) -> auto& { return c.method.ddpm.timesteps; }, 1, kInf,
        "ddpm: T, diffusion steps."));
    t.push_back(number<double>("method.ddpm.beta_start", [](Config& c) -> auto& { return c.method.ddpm.beta_start; }, 0, 1,
        "ddpm: first beta of the linear schedule."));
    t.push_back(number<double>("method.ddpm.beta_end", [](Config& c) -> auto& { return c.method.ddpm.beta_end; }, 0, 1,
        "ddpm: last beta of the linear schedule."));
    t.push_back(text("method.ddpm.variance", [](Config& c) -> auto& { return c.method.ddpm.variance; },
        {"fixed_large", "fixed_small"}, "ddpm ancestral sampler: beta_t (fixed_large) or the posterior variance (fixed_small)."));
    t.push_back(number<double>("method.ddpm.ddim_eta", [](Config& c) -> auto& { return c.method.ddpm.ddim_eta; }, 0, 1,
        "ddpm DDIM sampler: eta (0 deterministic)."));
    t.push_back(text("method.ddpm.ddim_schedule", [](Config& c) -> auto& { return c.method.ddpm.ddim_schedule; },
        {"linear", "quadratic"}, "ddpm DDIM sampler: step selection (linear floor(iT/S), or quadratic as DDIM's CIFAR-10)."));
    t.push_back(number<double>("method.ddpm.clip_x0", [](Config& c) -> auto& { return c.method.ddpm.clip_x0; }, 0, kInf,
        "ddpm samplers: clamp the predicted x0 to [-clip_x0, clip_x0] (images: 1); 0 = no clamping."));
    t.push_back(text("method.edm.preconditioning", [](Config& c) -> auto& { return c.method.edm.preconditioning; },
        {"edm", "vp"}, "edm: the formulation; edm = Karras et al.; vp = variance preserving (Song et al. 2021) in EDM's terms."));
    t.push_back(number<double>("method.edm.vp_beta_d", [](Config& c) -> auto& { return c.method.edm.vp_beta_d; }, 1e-9, kInf,
        "vp: beta_d of sigma(t) = sqrt(exp(beta_d t^2/2 + beta_min t) - 1)."));
    t.push_back(number<double>("method.edm.vp_beta_min", [](Config& c) -> auto& { return c.method.edm.vp_beta_min; }, 0, kInf,
        "vp: beta_min."));
    t.push_back(number<double>("method.edm.vp_m", [](Config& c) -> auto& { return c.method.edm.vp_m; }, 1.0001, kInf,
        "vp: M, the network sees c_noise = (M - 1) t."));
    t.push_back(number<double>("method.edm.vp_epsilon_t", [](Config& c) -> auto& { return c.method.edm.vp_epsilon_t; }, 1e-12, 0.5,
        "vp: smallest training t."));
    t.push_back(number<double>("method.edm.sigma_data", [](Config& c) -> auto& { return c.method.edm.sigma_data; }, 1e-9, kInf,
        "edm: data standard deviation in the preconditioning (0.5 for images in [-1, 1])."));
    t.push_back(number<double>("method.edm.p_mean", [](Config& c) -> auto& { return c.method.edm.p_mean; }, -kInf, kInf,
        "edm: mean of ln(sigma) in training."));
    t.push_back(number<double>("method.edm.p_std", [](Config& c) -> auto& { return c.method.edm.p_std; }, 1e-9, kInf,
        "edm: std of ln(sigma) in training."));
    t.push_back(number<double>("method.edm.sigma_min", [](Config& c) -> auto& { return c.method.edm.sigma_min; }, 1e-9, kInf,
        "edm sampler: smallest noise level."));
    t.push_back(number<double>("method.edm.sigma_max", [](Config& c) -> auto& { return c.method.edm.sigma_max; }, 1e-9, kInf,
        "edm sampler: largest noise level."));
    t.push_back(number<double>("method.edm.rho", [](Config& c) -> auto& { return c.method.edm.rho; }, 1e-9, kInf,
        "edm sampler: exponent of the noise-level schedule."));
    t.push_back(number<double>("method.edm.s_churn", [](Config& c) -> auto& { return c.method.edm.s_churn; }, 0, kInf,
        "edm sampler: stochasticity (0 = deterministic)."));
    t.push_back(number<double>("method.edm.s_min", [](Config& c) -> auto& { return c.method.edm.s_min; }, 0, kInf,
        "edm sampler: churn only for sigma >= s_min."));
    t.push_back(number<double>("method.edm.s_max", [](Config& c) -> auto& { return c.method.edm.s_max; }, 0, kInf,
        "edm sampler: churn only for sigma <= s_max (the default is above any sigma)."));
    t.push_back(number<double>("method.edm.s_noise", [](Config& c) -> auto& { return c.method.edm.s_noise; }, 0, kInf,
        "edm sampler: scale of the churn noise."));
    t.push_back(text("method.cfm.coupling", [](Config& c) -> auto& { return c.method.cfm.coupling; },
        {"independent", "minibatch_ot"}, "cfm: pairing of noise and data in a minibatch."));
    t.push_back(number<double>("method.cfm.sigma_min", [](Config& c) -> auto& { return c.method.cfm.sigma_min; }, 0, kInf,
        "cfm: width of the conditional path at the data end."));
    t.push_back(text("train.optimizer", [](Config& c) -> auto& { return c.train.optimizer; }, {"adam", "adamw"},
        "diffusion: optimizer (adam: L2 weight decay; adamw: decoupled)."));
    t.push_back(number<double>("train.lr", [](Config& c) -> auto& { return c.train.lr; }, 0, kInf, "diffusion: learning rate.",
                               Open::low));
    t.push_back(number<double>("train.beta1", [](Config& c) -> auto& { return c.train.beta1; }, 0, 1, "diffusion: Adam beta1.",
                               Open::high));
    t.push_back(number<double>("train.beta2", [](Config& c) -> auto& { return c.train.beta2; }, 0, 1, "diffusion: Adam beta2.",
                               Open::high));
    t.push_back(number<double>("train.eps", [](Config& c) -> auto& { return c.train.eps; }, 0, kInf, "diffusion: Adam epsilon.",
                               Open::low));
    t.push_back(number<double>("train.weight_decay", [](Config& c) -> auto& { return c.train.weight_decay; }, 0, kInf,
        "diffusion: weight decay."));
    t.push_back(number<std::int64_t>("train.batch", [](Config& c) -> auto& { return c.train.batch; }, 1, kInf,
        "diffusion: minibatch size."));
    t.push_back(number<double>("train.warmup_kimg", [](Config& c) -> auto& { return c.train.warmup_kimg; }, 0, kInf,
        "diffusion: linear learning-rate warm-up, thousands of images (counted over the whole run)."));
    t.push_back(number<double>("train.ema_halflife_kimg", [](Config& c) -> auto& { return c.train.ema_halflife_kimg; }, 0, kInf,
        "diffusion: EMA half-life in thousands of images; 0 = use train.ema_decay per step."));
    t.push_back(number<double>("train.ema_decay", [](Config& c) -> auto& { return c.train.ema_decay; }, 0, 1,
        "diffusion: EMA decay per step (when ema_halflife_kimg is 0)."));
    t.push_back(number<double>("train.ema_rampup", [](Config& c) -> auto& { return c.train.ema_rampup; }, 0, kInf,
        "diffusion: EMA half-life ramp-up ratio (EDM: 0.05); 0 = none."));
    t.push_back(flag("train.ema_warmup", [](Config& c) -> auto& { return c.train.ema_warmup; },
        "diffusion, with ema_decay: the decay at optimizer step k is min(ema_decay, (1 + k) / (10 + k)) (ddpm-torch's EMA)."));
    t.push_back(number<double>("train.grad_clip", [](Config& c) -> auto& { return c.train.grad_clip; }, 0, kInf,
        "diffusion: clip the gradient norm to this value; 0 = no clipping."));
    t.push_back(number<std::int64_t>("train.accumulate", [](Config& c) -> auto& { return c.train.accumulate; }, 1, kInf,
        "diffusion: gradient accumulation: each optimizer step of train.batch images runs in this many passes."));
    t.push_back(text("train.precision", [](Config& c) -> auto& { return c.train.precision; }, {"fp32", "bf16"},
        "diffusion: bf16 = bfloat16 autocast for the network on CUDA (weights, optimizer and EMA stay float32)."));
    t.push_back(flag("train.channels_last", [](Config& c) -> auto& { return c.train.channels_last; },
        "diffusion, unets on CUDA: channels-last memory format."));
    t.push_back(number<double>("train.snapshot_kimg", [](Config& c) -> auto& { return c.train.snapshot_kimg; }, 0, kInf,
        "diffusion: while a generation trains, save a resumable snapshot (RUN/gen_NNNN.training/) every this many "
        "thousand images, and always when stopped by a signal; 0 = only when stopped. Resuming continues exactly."));
    t.push_back(number<double>("gen0.kimg", [](Config& c) -> auto& { return c.gen0.kimg; }, 0, kInf,
        "diffusion: training of generation 0 on real data, thousands of images (after gen0.checkpoint, if any)."));
    t.push_back(text("gen0.checkpoint", [](Config& c) -> auto& { return c.gen0.checkpoint; }, {},
        "diffusion: start generation 0 from this checkpoint directory (model/ema[/optimizer].safetensors, e.g. made by "
        "scripts/convert_checkpoint.py); \"\" = from scratch."));
    t.push_back(number<std::int64_t>("loop.generations", [](Config& c) -> auto& { return c.loop.generations; }, 0, kInf,
        "T: retraining generations after generation 0 (which trains on real data only); 0 = plain training "
        "(`retrain train`)."));
    t.push_back(number<double>("loop.kimg_per_generation", [](Config& c) -> auto& { return c.loop.kimg_per_generation; },
        0, kInf, "diffusion: fine-tuning budget of each generation >= 1, thousands of images (not epochs)."));
    t.push_back(number<double>("loop.lambda", [](Config& c) -> auto& { return c.loop.lambda; }, 0, kInf,
        "lambda: each generation samples floor(lambda * n) synthetic samples from the previous model."));
    t.push_back(text("loop.real", [](Config& c) -> auto& { return c.loop.real; }, {"fixed", "none", "fresh"},
        "Real data in generations >= 1: fixed = the same n samples (paper 1); none = only synthetic "
        "(fully synthetic loop); fresh = a new draw of n real samples each generation."));
    t.push_back(text("loop.synthetic", [](Config& c) -> auto& { return c.loop.synthetic; }, {"replace", "accumulate"},
        "replace: train on this generation's synthetic samples only; accumulate: keep every earlier generation's too."));
    t.push_back(text("loop.sample_from", [](Config& c) -> auto& { return c.loop.sample_from; }, {"ema", "raw"},
        "diffusion: synthetic samples and evaluations come from the EMA weights or the raw trained weights."));
    t.push_back(text("loop.optimizer", [](Config& c) -> auto& { return c.loop.optimizer; }, {"resume", "reset"},
        "diffusion: each generation resumes Adam's moments (Algorithm 1) or resets them (as some published code does)."));
    t.push_back(number<std::int64_t>("loop.shard_size", [](Config& c) -> auto& { return c.loop.shard_size; }, 1, kInf,
        "Synthetic samples per shard file; a crash while sampling resumes at the first missing shard."));
    t.push_back(text("loop.correction.type", [](Config& c) -> auto& { return c.loop.correction.type; },
        {"none", "oracle_mixture", "nearest_mode", "kmeans", "torchscript"},
        "Self-correction pi_gamma applied to synthetic samples before mixing. oracle_mixture: each sample is "
        "replaced with probability gamma/(1+gamma) by a fresh draw from the true distribution (paper 2's mixture); "
        "nearest_mode: each point moves toward its nearest mode centre by loop.correction.strength; kmeans: each image "
        "moves toward its nearest k-means centroid of the real images (paper 2); torchscript: a user module."));
    t.push_back(number<double>("loop.correction.gamma", [](Config& c) -> auto& { return c.loop.correction.gamma; }, 0, kInf,
        "gamma: correction strength; 0 = no correction, larger = closer to the true distribution."));
    t.push_back(number<double>("loop.correction.strength", [](Config& c) -> auto& { return c.loop.correction.strength; }, 0, 1,
        "nearest_mode, kmeans: fraction of the way to the nearest centre (0 = identity, 1 = the centre)."));
    t.push_back(number<std::int64_t>("loop.correction.k", [](Config& c) -> auto& { return c.loop.correction.k; }, 1, kInf,
        "kmeans: clusters of the real images (per class when labelled; paper 2: 16)."));
    t.push_back(text("loop.correction.space", [](Config& c) -> auto& { return c.loop.correction.space; }, {"pixel", "features"},
        "kmeans: cluster in pixel space (paper 2) or in eval.extractor's feature space."));
    t.push_back(text("loop.correction.module", [](Config& c) -> auto& { return c.loop.correction.module; }, {},
        "torchscript: module file mapping images [B,C,H,W] in [-1,1] (and labels [B]) to corrected images."));
    t.push_back(number<std::int64_t>("eval.every", [](Config& c) -> auto& { return c.eval.every; }, 1, kInf,
        "Evaluate every k-th generation; generation 0 and the last generation are always evaluated."));
    t.push_back(number<std::int64_t>("eval.num_samples", [](Config& c) -> auto& { return c.eval.num_samples; }, 0, kInf,
        "diffusion: samples drawn per evaluation (and compared with as many held-out real points); 0 = data.n."));
    t.push_back(text("eval.extractor", [](Config& c) -> auto& { return c.eval.extractor; }, {},
        "image: feature extractor for FID / precision / recall: a TorchScript file (inception-2015-12-05.pt) or a "
        "classifier directory from `retrain features train`; \"\" = no feature metrics."));
    t.push_back(number<std::int64_t>("eval.k", [](Config& c) -> auto& { return c.eval.k; }, 1, kInf,
        "image: nearest neighbours for precision / recall / density / coverage."));
    t.push_back(number<std::int64_t>("eval.grid", [](Config& c) -> auto& { return c.eval.grid; }, 0, kInf,
        "image: samples shown in each evaluated generation's grid.png; 0 = no grid."));
    t.push_back(text("features.test_path", [](Config& c) -> auto& { return c.features.test_path; }, {},
        "`retrain features train`: held-out images in data.format (cifar10: ignored, the test split is used)."));
    t.push_back(text("features.test_labels", [](Config& c) -> auto& { return c.features.test_labels; }, {},
        "`retrain features train`, idx: the held-out labels file."));
    t.push_back(number<std::int64_t>("features.epochs", [](Config& c) -> auto& { return c.features.epochs; }, 1, kInf,
        "`retrain features train`: epochs over the labelled training images."));
    t.push_back(number<std::int64_t>("features.batch", [](Config& c) -> auto& { return c.features.batch; }, 1, kInf,
        "`retrain features train`: minibatch size."));
    t.push_back(number<double>("features.lr", [](Config& c) -> auto& { return c.features.lr; }, 1e-12, kInf,
        "`retrain features train`: Adam learning rate."));
    t.push_back(number<double>("features.dropout", [](Config& c) -> auto& { return c.features.dropout; }, 0, 0.999,
        "`retrain features train`: dropout on the features while training."));
    t.push_back(text_list("sweep.grid", [](Config& c) -> auto& { return c.sweep.grid; },
        "`retrain sweep` without --grid: the grid's axes, each \"key=v1,v2,...\" (e.g. \"loop.lambda=0,0.1,1\"); the runs are every combination."));
    return t;
  }();
  return table;
}

const KeySpec* find_spec(const std::string& path) {
  for (const auto& s : specs())
    if (s.path == path) return &s;
  return nullptr;
}

bool is_section(const std::string& path) {
  for (const auto& s : specs())
    if (s.path.rfind(path + ".", 0) == 0) return true;
  return false;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(const std::string& where, const std::string& path) {
  std::string msg = fmt::format("{}: unknown key '{}'", where, path);
  if (auto s = suggest_key(path); !s.empty()) msg += fmt::format(" (did you mean '{}'?)", s);
  else msg += "; see docs/config.md or `retrain info --keys` for the keys";
  return msg;
}

std::string mark_text(const std::string& origin, const YAML::Node& node) {
  const auto m = node.Mark();
  if (m.is_null()) return origin;
  return fmt::format("{}:{}:{}", origin, m.line + 1, m.column + 1);
}

void read_tree(const YAML::Node& node, const std::string& prefix, Config& config, const std::string& origin,
               const std::map<std::string, std::string>& overridden) {
  if (!node.IsMap()) {
    throw UsageError(fmt::format("{}: '{}' must be a mapping of keys, got {}", mark_text(origin, node),
                                 prefix.empty() ? "<top level>" : prefix, show(node)));
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    auto it = overridden.find(path);
    const std::string where = it != overridden.end() ? it->second : mark_text(origin, kv.second);
    if (const KeySpec* spec = find_spec(path)) {
      spec->read(config, kv.second, where);
    } else if (is_section(path)) {
      read_tree(kv.second, path, config, origin, overridden);
    } else {
      throw UsageError(unknown_key_message(mark_text(origin, kv.first), path));
    }
  }
}

// Cholesky test for symmetric positive definiteness.
bool positive_definite(const std::vector<std::vector<double>>& a) {
  const std::size_t n = a.size();
  std::vector<std::vector<double>> l(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = a[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
      if (i == j) {
        if (s <= 0) return false;
        l[i][i] = std::sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  return true;
}

void validate(const Config& c) {
  const auto fail = [](const std::string& msg) { throw UsageError(msg); };
  const auto d = static_cast<std::size_t>(c.data.dim);
  if (c.data.source == "gaussian") {
    if (!c.data.mean.empty() && c.data.mean.size() != d)
      fail(fmt::format("data.mean has {} entries but data.dim is {}; give {} numbers or [] for zeros",
                       c.data.mean.size(), d, d));
    if (!c.data.cov.empty()) {
      if (c.data.cov.size() != d)
        fail(fmt::format("data.cov has {} rows but data.dim is {}; give a {}x{} matrix or [] for identity",
                         c.data.cov.size(), d, d, d));
      for (std::size_t i = 0; i < d; ++i) {
        if (c.data.cov[i].size() != d)
          fail(fmt::format("data.cov row {} has {} entries; expected {}", i, c.data.cov[i].size(), d));
        for (std::size_t j = 0; j < i; ++j)
          if (std::abs(c.data.cov[i][j] - c.data.cov[j][i]) > 1e-12 * (1 + std::abs(c.data.cov[i][j])))
            fail(fmt::format("data.cov is not symmetric: [{}][{}] = {} but [{}][{}] = {}", i, j, c.data.cov[i][j],
                             j, i, c.data.cov[j][i]));
      }
      if (!positive_definite(c.data.cov)) fail("data.cov must be positive definite (its Cholesky factorisation fails)");
    }
  }
  const bool image = c.data.source == "image";
  if (!image && c.data.n < 2)
    fail(fmt::format("data.n = {}: at least 2 real samples are needed (0 means the whole data set only for "
                     "data.source: image)", c.data.n));
  if (image) {
    if (c.data.path.empty()) fail("data.source: image needs data.path (the data set's file or directory)");
    if (c.learner.type != "diffusion") fail("data.source: image needs learner.type: diffusion");
    if (c.model.arch == "mlp") fail("data.source: image needs an image network: model.arch: ddpmpp, ncsnpp or ddpm_unet");
  } else if (c.learner.type == "diffusion" && c.model.arch != "mlp") {
    fail(fmt::format("model.arch: {} is an image network; data.source: {} gives points (use model.arch: mlp)",
                     c.model.arch, c.data.source));
  }
  if (c.train.batch % c.train.accumulate != 0)
    fail(fmt::format("train.batch = {} is not divisible by train.accumulate = {}; each pass trains batch / accumulate "
                     "images", c.train.batch, c.train.accumulate));
  const auto& corr = c.loop.correction;
  if ((corr.type == "kmeans" || corr.type == "torchscript") && !image)
    fail(fmt::format("loop.correction.type: {} corrects images; data.source is '{}'", corr.type, c.data.source));
  if ((corr.type == "oracle_mixture" || corr.type == "nearest_mode") && image)
    fail(fmt::format("loop.correction.type: {} needs a point source; for images use kmeans or torchscript", corr.type));
  if (corr.type == "kmeans" && corr.space == "features" && c.eval.extractor.empty())
    fail("loop.correction.space: features needs eval.extractor (the feature network)");
  if (corr.type == "torchscript" && corr.module.empty())
    fail("loop.correction.type: torchscript needs loop.correction.module (the module file)");
  if (!c.eval.extractor.empty() && !image)
    fail(fmt::format("eval.extractor is for images; data.source is '{}'", c.data.source));
  if (c.method.guidance != 1.0 && !c.data.use_labels)
    fail(fmt::format("method.guidance = {} needs a conditional model (data.use_labels: true)", c.method.guidance));
  if (c.model.label_dropout > 0 && !(c.data.use_labels && (c.model.arch == "ddpmpp" || c.model.arch == "ncsnpp")))
    fail(fmt::format("model.label_dropout = {} needs data.use_labels: true and model.arch ddpmpp or ncsnpp",
                     c.model.label_dropout));
  if (c.learner.type == "gaussian" && c.data.source != "gaussian")
    fail(fmt::format("learner.type: gaussian needs data.source: gaussian, got '{}'", c.data.source));
  if (c.learner.type == "diffusion" && c.learner.replicas != 1)
    fail(fmt::format("learner.replicas = {}: the diffusion learner runs one chain; set learner.replicas: 1 and "
                     "repeat runs with different seeds", c.learner.replicas));
  if (c.model.embedding_dim % 2 != 0)
    fail(fmt::format("model.embedding_dim = {} must be even (cos and sin halves)", c.model.embedding_dim));
  if (c.method.ddpm.beta_end < c.method.ddpm.beta_start)
    fail(fmt::format("method.ddpm.beta_end = {} is below beta_start = {}", c.method.ddpm.beta_end, c.method.ddpm.beta_start));
  if (c.method.edm.sigma_max <= c.method.edm.sigma_min)
    fail(fmt::format("method.edm.sigma_max = {} must exceed sigma_min = {}", c.method.edm.sigma_max, c.method.edm.sigma_min));
  const auto synthetic = static_cast<std::int64_t>(std::floor(c.loop.lambda * static_cast<double>(c.data.n)));
  if (c.loop.real == "none" && synthetic < 2 && c.data.n > 0)
    fail(fmt::format("loop.real: none trains on floor(loop.lambda * data.n) = floor({} * {}) = {} synthetic "
                     "samples; at least 2 are needed to fit a model",
                     c.loop.lambda, c.data.n, synthetic));
  if (c.loop.correction.type == "none" && c.loop.correction.gamma != 0)
    fail(fmt::format("loop.correction.gamma = {} has no effect with loop.correction.type: none; "
                     "set loop.correction.type: oracle_mixture or gamma: 0",
                     c.loop.correction.gamma));
}

}  // namespace

Override parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError(fmt::format("--set '{}': expected key.path=value, e.g. --set loop.lambda=0.5", text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string suggest_key(const std::string& unknown) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  const auto leaf = [](const std::string& p) { return p.substr(p.rfind('.') + 1); };
  for (const auto& s : specs()) {
    std::size_t dist = std::min(edit_distance(unknown, s.path), edit_distance(leaf(unknown), leaf(s.path)) + 1);
    if (dist < best_d) best_d = dist, best = s.path;
  }
  return best_d <= std::max<std::size_t>(2, unknown.size() / 4) ? best : "";
}

// yaml-cpp keeps both entries of a key written twice and reads the first: refuse instead.
void reject_duplicate_keys(const YAML::Node& node, const std::string& prefix, const std::string& origin) {
  if (!node.IsMap()) return;
  std::set<std::string> seen;
  for (const auto& item : node) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : show(item.first);
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (!seen.insert(key).second)
      throw UsageError(fmt::format("{}:{}: key '{}' appears twice (which one did you mean?)", origin,
                                   item.first.Mark().line + 1, path));
    reject_duplicate_keys(item.second, path, origin);
  }
}

Config load_config_text(const std::string& yaml_text, const std::string& origin,
                        const std::vector<Override>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw UsageError(fmt::format("{}:{}:{}: malformed YAML: {}", origin, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  reject_duplicate_keys(root, "", origin);

  std::map<std::string, std::string> overridden;
  for (const auto& o : overrides) {
    const std::string where = fmt::format("--set {}={}", o.key, o.value);
    if (!find_spec(o.key)) throw UsageError(unknown_key_message(where, o.key));
    YAML::Node value;
    try {
      value = o.literal ? YAML::Node(o.value) : YAML::Load(o.value);
    } catch (const YAML::ParserException& e) {
      throw UsageError(fmt::format("{}: the value is not valid YAML: {}", where, e.msg));
    }
    if (!value || value.IsNull()) value = YAML::Node(o.value);
    YAML::Node cursor(root);
    std::string part, rest = o.key;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      part = rest.substr(0, dot);
      rest = rest.substr(dot + 1);
      if (cursor[part] && !cursor[part].IsMap())
        throw UsageError(fmt::format("{}: '{}' in the config is not a mapping", where, part));
      YAML::Node child = cursor[part];
      cursor.reset(child);
    }
    cursor[rest] = value;
    overridden[o.key] = where;
  }

  Config config;
  read_tree(root, "", config, origin, overridden);
  validate(config);
  return config;
}

Config load_config_file(const std::filesystem::path& path, const std::vector<Override>& overrides) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("cannot read config file '{}': {}", path.string(), e.what()));
  }
  Config config = load_config_text(text, path.string(), overrides);
  if (config.name.empty()) config.name = path.stem().string();
  return config;
}

std::string to_yaml(const Config& config) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& s : specs()) {
    YAML::Node cursor(root);
    std::string rest = s.path;
    for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
      YAML::Node child = cursor[rest.substr(0, dot)];
      cursor.reset(child);
      rest = rest.substr(dot + 1);
    }
    cursor[rest] = s.write(config);
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

std::string config_hash(const Config& config) { return hex32(crc32_bytes(to_yaml(config))); }

std::string config_reference_markdown() {
  const Config defaults;
  std::string md = "| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const auto& s : specs()) {
    YAML::Emitter e;
    e << YAML::Flow << s.write(defaults);
    std::string def = e.c_str();
    if (def.empty() || def == "\"\"" || def == "~") def = "\"\"";
    md += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", s.path, s.type, def, s.allowed, s.doc);
  }
  return md;
}

}  // namespace retrain
