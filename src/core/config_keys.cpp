// The key table (see config_keys.hpp): one line per key binding it to its Config member, with its
// type, range or choices, and documentation. The spec builders below check a value before storing it.
#include "retrain/core/config_keys.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "retrain/core/errors.hpp"

namespace retrain {

std::string show(const YAML::Node& node) {
  if (node.IsScalar()) {
    // A float as written from a double ("0.032000000000000001") is shown by its shortest exact form.
    const auto& text = node.Scalar();
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size() && text.find_first_of(".eE") != std::string::npos)
      return fmt::format("'{}'", value);
    return "'" + text + "'";
  }
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

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
enum class Open { none, low, high, both };

std::string range_text(double lo, double hi, Open open) {
  if (lo == -kInf && hi == kInf) return "";
  const bool low_open = open == Open::low || open == Open::both, high_open = open == Open::high || open == Open::both;
  if (hi == kInf) return fmt::format("{} {}", low_open ? ">" : ">=", lo);
  if (lo == -kInf) return fmt::format("{} {}", high_open ? "<" : "<=", hi);
  return fmt::format("in {}{}, {}{}", low_open ? "(" : "[", lo, hi, high_open ? ")" : "]");
}

template <class T, class Access>
KeySpec number(std::string path, Access access, double lo, double hi, std::string doc, Open open = Open::none) {
  const bool integral = std::is_integral_v<T>;
  std::string type = integral ? "integer" : "number";
  std::string allowed = range_text(lo, hi, open);
  const std::string article = integral ? "an " : "a ";
  std::string expected = article + type + (allowed.empty() ? "" : " " + allowed);
  KeySpec spec{path, type, allowed, std::move(doc), {}, {}, {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    T value = convert<T>(node, where, path, expected);
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(value)) bad_value(where, path, node, expected);
    }
    const auto v = static_cast<double>(value);
    const bool low_open = open == Open::low || open == Open::both, high_open = open == Open::high || open == Open::both;
    if (v < lo || v > hi || (low_open && v == lo) || (high_open && v == hi))
      bad_value(where, path, node, expected);
    access(c) = value;
  };
  spec.write = [=](const Config& c) { return YAML::Node(access(c)); };
  const auto inside = [&](double end, double toward, bool open) {
    if (!open) return end;
    return integral ? end + (toward > end ? 1 : -1) : std::nextafter(end, toward);
  };
  if (std::isfinite(lo)) spec.smallest = inside(lo, kInf, open == Open::low || open == Open::both);
  if (std::isfinite(hi)) spec.largest = inside(hi, -kInf, open == Open::high || open == Open::both);
  return spec;
}

template <class Access>
KeySpec text(std::string path, Access access, std::string doc) {
  KeySpec spec{path, "string", "", std::move(doc), {}, {}, {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    access(c) = convert<std::string>(node, where, path, "a string");
  };
  spec.write = [=](const Config& c) { return YAML::Node(access(c)); };
  return spec;
}

// An enum-like key: one of the names of its enum (choices.hpp), parsed here once.
template <class Access>
KeySpec choice(std::string path, Access access, std::string doc) {
  using E = std::remove_cvref_t<decltype(access(std::declval<Config&>()))>;
  const std::string allowed = choice_names<E>();
  KeySpec spec{path, "string", allowed, std::move(doc), {}, {}, {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    const std::string expected = "one of " + allowed;
    const auto value = parse_choice<E>(convert<std::string>(node, where, path, expected));
    if (!value) bad_value(where, path, node, expected);
    access(c) = *value;
  };
  spec.write = [=](const Config& c) { return YAML::Node(std::string(choice_name(access(c)))); };
  return spec;
}

template <class Access>
KeySpec flag(std::string path, Access access, std::string doc) {
  KeySpec spec{path, "boolean", "true, false", std::move(doc), {}, {}, {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    access(c) = convert<bool>(node, where, path, "true or false");
  };
  spec.write = [=](const Config& c) { return YAML::Node(access(c)); };
  return spec;
}

std::vector<double> number_list(const YAML::Node& node, const std::string& where, const std::string& path,
                                const std::string& expected, double lo = -kInf) {
  if (!node.IsSequence()) bad_value(where, path, node, expected);
  std::vector<double> values;
  for (const auto& item : node) {
    auto v = convert<double>(item, where, path, expected);
    if (!std::isfinite(v) || v < lo) bad_value(where, path, node, expected);
    values.push_back(v);
  }
  return values;
}

// A list of numbers, each >= lo.
template <class Access>
KeySpec vector_key(std::string path, Access access, std::string doc, double lo = -kInf) {
  const std::string allowed = lo == -kInf ? "" : fmt::format("each >= {}", lo);
  KeySpec spec{path, "list of numbers", allowed, std::move(doc), {}, {}, {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    access(c) = number_list(node, where, path, allowed.empty() ? "a list of numbers" : "a list of numbers " + allowed, lo);
  };
  spec.write = [=](const Config& c) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (double v : access(c)) n.push_back(v);
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  };
  return spec;
}

template <class Access>
KeySpec text_list(std::string path, Access access, std::string doc) {
  KeySpec spec{path, "list of strings", "", std::move(doc), {}, {}, {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    const std::string expected = "a list of strings";
    if (!node.IsSequence()) bad_value(where, path, node, expected);
    std::vector<std::string> values;
    for (const auto& item : node) values.push_back(convert<std::string>(item, where, path, expected));
    access(c) = values;
  };
  spec.write = [=](const Config& c) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (const auto& v : access(c)) n.push_back(v);
    n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  };
  return spec;
}

template <class Access>
KeySpec matrix_key(std::string path, Access access, std::string doc) {
  KeySpec spec{path, "list of lists of numbers", "", std::move(doc), {}, {}, {}, {}};
  spec.read = [=](Config& c, const YAML::Node& node, const std::string& where) {
    const std::string expected = "a list of rows, each a list of numbers";
    if (!node.IsSequence()) bad_value(where, path, node, expected);
    std::vector<std::vector<double>> rows;
    for (const auto& row : node) rows.push_back(number_list(row, where, path, expected));
    access(c) = rows;
  };
  spec.write = [=](const Config& c) {
    YAML::Node n(YAML::NodeType::Sequence);
    for (const auto& row : access(c)) {
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
}  // namespace

const std::vector<KeySpec>& config_keys() {
  static const std::vector<KeySpec> table = [] {
    std::vector<KeySpec> t;
    t.push_back(number<std::uint64_t>("seed", [](auto& c) -> auto& { return c.seed; }, 0, kInf,
        "Run seed. Every random stream derives from (seed, generation, purpose), so runs and resumes are reproducible."));
    t.push_back(text("name", [](auto& c) -> auto& { return c.name; },
        "Run name: the run directory is out/name. Empty: the config file's name without extension."));
    t.push_back(text("out", [](auto& c) -> auto& { return c.out; },
        "Parent directory of run directories."));
    t.push_back(choice("device", [](auto& c) -> auto& { return c.device; },
        "Compute device; auto picks cuda when a GPU is visible."));
    t.push_back(flag("gpu.cudnn_benchmark", [](auto& c) -> auto& { return c.gpu.cudnn_benchmark; },
        "CUDA: let cuDNN time its convolution algorithms for each new shape and keep the fastest (as NVlabs/edm)."));
    t.push_back(flag("gpu.tf32", [](auto& c) -> auto& { return c.gpu.tf32; },
        "CUDA: float32 matrix products and convolutions in TF32 (faster, 10-bit mantissa); false = full float32 "
        "(as NVlabs/edm's training). bf16 autocast (train.precision, method.sample_precision) is separate."));
    t.push_back(number<double>("dist.timeout_s", [](auto& c) -> auto& { return c.dist.timeout_s; }, 0, kInf,
        "Several processes (torchrun, srun, scripts/launch_local.sh): seconds a rank waits for the others (joining, "
        "each collective, rank 0's commit and evaluation) before it fails naming the operation.", Open::low));
    t.push_back(number<double>("dist.bucket_mb", [](auto& c) -> auto& { return c.dist.bucket_mb; }, 0, 4096,
        "Several processes: MiB of gradients per all-reduce bucket; a bucket is summed while backward still computes "
        "the earlier layers (PyTorch DDP's default 25). 0 = one all-reduce after backward."));
    t.push_back(choice("data.source", [](auto& c) -> auto& { return c.data.source; },
        "Real data source. gaussian: N(data.mean, data.cov) in data.dim dimensions; toy2d: a 2-D toy set (data.name); "
        "image: an image data set (data.format, data.path)."));
    t.push_back(text("data.name", [](auto& c) -> auto& { return c.data.name; },
        "toy2d: 8gaussians, 2spirals, checkerboard, moons, circles, pinwheel, swissroll or rings (FFJORD's sets)."));
    t.push_back(number<double>("data.noise", [](auto& c) -> auto& { return c.data.noise; }, -1, kInf,
        "toy2d: the set's noise parameter (e.g. 8gaussians' per-mode std before scaling); -1 = the reference value."));
    t.push_back(number<std::int64_t>("data.n", [](auto& c) -> auto& { return c.data.n; }, 0, kInf,
        "n: number of real samples the model is trained on (image: a seeded subset of the data set; 0 = all of it)."));
    t.push_back(choice("data.format", [](auto& c) -> auto& { return c.data.format; },
        "image: cifar10 (the binary distribution's directory), edm (dataset_tool zip or folder with dataset.json), "
        "folder (PNG/JPEG files), idx (MNIST/Fashion-MNIST images file, .gz or raw)."));
    t.push_back(text("data.path", [](auto& c) -> auto& { return c.data.path; },
        "image: the data set: cifar-10-batches-bin directory, zip/folder, image folder, or IDX images file."));
    t.push_back(text("data.labels", [](auto& c) -> auto& { return c.data.labels; },
        "image, idx: the IDX labels file; \"\" = unlabelled."));
    t.push_back(choice("data.split", [](auto& c) -> auto& { return c.data.split; },
        "image, cifar10: data_batch_1..5 (train) or test_batch (test)."));
    t.push_back(number<std::int64_t>("data.pad_to", [](auto& c) -> auto& { return c.data.pad_to; }, 0, kInf,
        "image, idx: zero-pad (black) each image, centred, to pad_to x pad_to (28 -> 32 for the UNets); 0 = no padding."));
    t.push_back(number<std::int64_t>("data.resolution", [](auto& c) -> auto& { return c.data.resolution; }, 0, kInf,
        "image: every image must be resolution x resolution; 0 = no check."));
    t.push_back(flag("data.use_labels", [](auto& c) -> auto& { return c.data.use_labels; },
        "image: keep class labels and train a class-conditional model."));
    t.push_back(flag("data.class_from_subfolder", [](auto& c) -> auto& { return c.data.class_from_subfolder; },
        "image, folder: the class of an image is its first-level sub-folder (sorted names)."));
    t.push_back(flag("data.xflip", [](auto& c) -> auto& { return c.data.xflip; },
        "image: add a mirrored copy of every real image (EDM's --xflip)."));
    t.push_back(number<std::int64_t>("data.dim", [](auto& c) -> auto& { return c.data.dim; }, 1, 4096,
        "gaussian: dimension d."));
    t.push_back(vector_key("data.mean", [](auto& c) -> auto& { return c.data.mean; },
        "gaussian: true mean, d numbers; [] means zeros."));
    t.push_back(matrix_key("data.cov", [](auto& c) -> auto& { return c.data.cov; },
        "gaussian: true covariance, d rows of d numbers, symmetric positive definite; [] means identity."));
    t.push_back(choice("learner.type", [](auto& c) -> auto& { return c.learner.type; },
        "The generative model. gaussian: maximum-likelihood Gaussian (sample mean, 1/(n-1) covariance); "
        "diffusion: a denoiser network (model.arch) trained with method.type."));
    t.push_back(number<std::int64_t>("learner.replicas", [](auto& c) -> auto& { return c.learner.replicas; }, 1, kInf,
        "gaussian: independent chains run side by side (vectorised); metrics report their mean and standard "
        "error. diffusion: must be 1."));
    t.push_back(choice("model.arch", [](auto& c) -> auto& { return c.model.arch; },
        "diffusion: the network. mlp: residual MLP for points; ddpmpp / ncsnpp: EDM's SongUNet (Song et al. 2021); "
        "ddpm_unet: the U-Net of Ho et al. 2020 (ddpm-torch names)."));
    t.push_back(number<std::int64_t>("model.width", [](auto& c) -> auto& { return c.model.width; }, 1, 65536,
        "diffusion: hidden width of the MLP denoiser."));
    t.push_back(number<std::int64_t>("model.depth", [](auto& c) -> auto& { return c.model.depth; }, 1, 1024,
        "diffusion: residual blocks of the MLP denoiser."));
    t.push_back(number<std::int64_t>("model.embedding_dim", [](auto& c) -> auto& { return c.model.embedding_dim; }, 2, 65536,
        "diffusion: features of the noise-level embedding (even)."));
    t.push_back(choice("model.embedding", [](auto& c) -> auto& { return c.model.embedding; },
        "mlp: noise-level embedding (positional as DDPM/ddpm++, random Fourier as ncsn++)."));
    t.push_back(number<std::int64_t>("model.channels", [](auto& c) -> auto& { return c.model.channels; }, 1, 4096,
        "unets: base channel count (SongUNet model_channels, DDPM hid_channels)."));
    t.push_back(vector_key("model.channel_mult", [](auto& c) -> auto& { return c.model.channel_mult; },
        "unets: channel multiplier per resolution level; [] = preset (ddpmpp/ncsnpp [2, 2, 2], ddpm_unet [1, 2, 2, 2]).", 1));
    t.push_back(number<std::int64_t>("model.num_blocks", [](auto& c) -> auto& { return c.model.num_blocks; }, 0, 64,
        "unets: residual blocks per level; 0 = preset (ddpmpp/ncsnpp 4, ddpm_unet 2)."));
    t.push_back(vector_key("model.attn_resolutions", [](auto& c) -> auto& { return c.model.attn_resolutions; },
        "unets: resolutions with self-attention.", 1));
    t.push_back(number<double>("model.dropout", [](auto& c) -> auto& { return c.model.dropout; }, 0, 0.999,
        "unets: dropout probability (EDM CIFAR-10 0.13, FFHQ 0.05; DDPM 0.1)."));
    t.push_back(number<double>("model.label_dropout", [](auto& c) -> auto& { return c.model.label_dropout; }, 0, 0.999,
        "ddpmpp/ncsnpp, conditional: probability of training a sample without its class (classifier-free guidance)."));
    t.push_back(number<std::int64_t>("model.augment_dim", [](auto& c) -> auto& { return c.model.augment_dim; }, 0, 1024,
        "ddpmpp/ncsnpp: augmentation-label features (9 in EDM's augmented nets; needed to load them); 0 = none."));
    t.push_back(choice("method.type", [](auto& c) -> auto& { return c.method.type; },
        "diffusion: ddpm (epsilon prediction, linear betas), edm (Karras et al. 2022), cfm (conditional flow matching)."));
    t.push_back(choice("method.sampler", [](auto& c) -> auto& { return c.method.sampler; },
        
        "diffusion: sampler; default = ancestral (ddpm), heun (edm), euler (cfm). ddpm takes ancestral|ddim, "
        "edm and cfm take euler|heun."));
    t.push_back(number<std::int64_t>("method.steps", [](auto& c) -> auto& { return c.method.steps; }, 0, kInf,
        "diffusion: sampler steps; 0 = the method's default (ddim 50, edm 18, cfm 100; ancestral always runs all T)."));
    t.push_back(number<double>("method.guidance", [](auto& c) -> auto& { return c.method.guidance; }, 0, kInf,
        "diffusion, conditional: classifier-free guidance weight w (out_uncond + w (out_cond - out_uncond)); 1 = none."));
    t.push_back(number<std::int64_t>("method.sample_batch", [](auto& c) -> auto& { return c.method.sample_batch; }, 1, kInf,
        "diffusion: samples per sampler call (memory vs speed; results do not depend on it)."));
    t.push_back(choice("method.sample_precision", [](auto& c) -> auto& { return c.method.sample_precision; },
        
        "diffusion sampling: bf16 = the network's forward passes under bfloat16 autocast (the sampler's step "
        "arithmetic stays float64); fp32 = full float32. Effect on FID: docs/results.md."));
    t.push_back(flag("method.sample_cuda_graphs", [](auto& c) -> auto& { return c.method.sample_cuda_graphs; },
        "diffusion sampling on CUDA: the network call of every sampler step after a batch's first replays one "
        "captured CUDA graph (fewer kernel launches; same numbers). Off until measured on a GPU: docs/gpu.md."));
    t.push_back(choice("method.noise", [](auto& c) -> auto& { return c.method.noise; },
        "diffusion sampling: philox = counter-based noise made on the compute device (sample i depends only on its "
        "seed; identical on CPU and GPU; no host copies); torch = every draw from a CPU generator seeded with the "
        "sample's seed, in the order and dtype of NVlabs/edm's generate.py on a CPU (the latent "
        "torch.randn(shape, generator=torch.Generator().manual_seed(seed)) in float32, then the class, then the "
        "sampler's noise), so a converted EDM network gives generate.py's images per seed; slower on a GPU."));
    t.push_back(number<std::int64_t>("method.ddpm.timesteps", [](auto& c) -> auto& { return c.method.ddpm.timesteps; }, 1, kInf,
        "ddpm: T, diffusion steps."));
    t.push_back(number<double>("method.ddpm.beta_start", [](auto& c) -> auto& { return c.method.ddpm.beta_start; }, 0, 1,
        "ddpm: first beta of the linear schedule.", Open::both));
    t.push_back(number<double>("method.ddpm.beta_end", [](auto& c) -> auto& { return c.method.ddpm.beta_end; }, 0, 1,
        "ddpm: last beta of the linear schedule.", Open::both));
    t.push_back(choice("method.ddpm.variance", [](auto& c) -> auto& { return c.method.ddpm.variance; },
         "ddpm ancestral sampler: beta_t (fixed_large) or the posterior variance (fixed_small)."));
    t.push_back(number<double>("method.ddpm.ddim_eta", [](auto& c) -> auto& { return c.method.ddpm.ddim_eta; }, 0, 1,
        "ddpm DDIM sampler: eta (0 deterministic)."));
    t.push_back(choice("method.ddpm.ddim_schedule", [](auto& c) -> auto& { return c.method.ddpm.ddim_schedule; },
         "ddpm DDIM sampler: step selection (linear floor(iT/S), or quadratic as DDIM's CIFAR-10)."));
    t.push_back(number<double>("method.ddpm.clip_x0", [](auto& c) -> auto& { return c.method.ddpm.clip_x0; }, 0, kInf,
        "ddpm samplers: clamp the predicted x0 to [-clip_x0, clip_x0] (images: 1); 0 = no clamping."));
    t.push_back(choice("method.edm.preconditioning", [](auto& c) -> auto& { return c.method.edm.preconditioning; },
         "edm: the formulation; edm = Karras et al.; vp = variance preserving (Song et al. 2021) in EDM's terms."));
    t.push_back(number<double>("method.edm.vp_beta_d", [](auto& c) -> auto& { return c.method.edm.vp_beta_d; }, 1e-9, kInf,
        "vp: beta_d of sigma(t) = sqrt(exp(beta_d t^2/2 + beta_min t) - 1)."));
    t.push_back(number<double>("method.edm.vp_beta_min", [](auto& c) -> auto& { return c.method.edm.vp_beta_min; }, 0, kInf,
        "vp: beta_min."));
    t.push_back(number<double>("method.edm.vp_m", [](auto& c) -> auto& { return c.method.edm.vp_m; }, 1.0001, kInf,
        "vp: M, the network sees c_noise = (M - 1) t."));
    t.push_back(number<double>("method.edm.vp_epsilon_t", [](auto& c) -> auto& { return c.method.edm.vp_epsilon_t; }, 1e-12, 0.5,
        "vp: smallest training t."));
    t.push_back(number<double>("method.edm.sigma_data", [](auto& c) -> auto& { return c.method.edm.sigma_data; }, 1e-9, kInf,
        "edm: data standard deviation in the preconditioning (0.5 for images in [-1, 1])."));
    t.push_back(number<double>("method.edm.p_mean", [](auto& c) -> auto& { return c.method.edm.p_mean; }, -kInf, kInf,
        "edm: mean of ln(sigma) in training."));
    t.push_back(number<double>("method.edm.p_std", [](auto& c) -> auto& { return c.method.edm.p_std; }, 1e-9, kInf,
        "edm: std of ln(sigma) in training."));
    t.push_back(number<double>("method.edm.sigma_min", [](auto& c) -> auto& { return c.method.edm.sigma_min; }, 1e-9, kInf,
        "edm sampler: smallest noise level."));
    t.push_back(number<double>("method.edm.sigma_max", [](auto& c) -> auto& { return c.method.edm.sigma_max; }, 1e-9, kInf,
        "edm sampler: largest noise level."));
    t.push_back(number<double>("method.edm.rho", [](auto& c) -> auto& { return c.method.edm.rho; }, 1e-9, kInf,
        "edm sampler: exponent of the noise-level schedule."));
    t.push_back(number<double>("method.edm.s_churn", [](auto& c) -> auto& { return c.method.edm.s_churn; }, 0, kInf,
        "edm sampler: stochasticity (0 = deterministic)."));
    t.push_back(number<double>("method.edm.s_min", [](auto& c) -> auto& { return c.method.edm.s_min; }, 0, kInf,
        "edm sampler: churn only for sigma >= s_min."));
    t.push_back(number<double>("method.edm.s_max", [](auto& c) -> auto& { return c.method.edm.s_max; }, 0, kInf,
        "edm sampler: churn only for sigma <= s_max (the default is above any sigma)."));
    t.push_back(number<double>("method.edm.s_noise", [](auto& c) -> auto& { return c.method.edm.s_noise; }, 0, kInf,
        "edm sampler: scale of the churn noise."));
    t.push_back(choice("method.cfm.coupling", [](auto& c) -> auto& { return c.method.cfm.coupling; },
         "cfm: pairing of noise and data in a minibatch."));
    t.push_back(number<double>("method.cfm.sigma_min", [](auto& c) -> auto& { return c.method.cfm.sigma_min; }, 0, kInf,
        "cfm: width of the conditional path at the data end."));
    t.push_back(choice("train.optimizer", [](auto& c) -> auto& { return c.train.optimizer; },
        "diffusion: optimizer (adam: L2 weight decay; adamw: decoupled)."));
    t.push_back(number<double>("train.lr", [](auto& c) -> auto& { return c.train.lr; }, 0, kInf, "diffusion: learning rate.",
                               Open::low));
    t.push_back(number<double>("train.beta1", [](auto& c) -> auto& { return c.train.beta1; }, 0, 1, "diffusion: Adam beta1.",
                               Open::high));
    t.push_back(number<double>("train.beta2", [](auto& c) -> auto& { return c.train.beta2; }, 0, 1, "diffusion: Adam beta2.",
                               Open::high));
    t.push_back(number<double>("train.eps", [](auto& c) -> auto& { return c.train.eps; }, 0, kInf, "diffusion: Adam epsilon.",
                               Open::low));
    t.push_back(number<double>("train.weight_decay", [](auto& c) -> auto& { return c.train.weight_decay; }, 0, kInf,
        "diffusion: weight decay."));
    t.push_back(number<std::int64_t>("train.batch", [](auto& c) -> auto& { return c.train.batch; }, 1, kInf,
        "diffusion: minibatch size."));
    t.push_back(number<double>("train.warmup_kimg", [](auto& c) -> auto& { return c.train.warmup_kimg; }, 0, kInf,
        "diffusion: linear learning-rate warm-up, thousands of images (counted over the whole run)."));
    t.push_back(number<double>("train.ema_halflife_kimg", [](auto& c) -> auto& { return c.train.ema_halflife_kimg; }, 0, kInf,
        "diffusion: EMA half-life in thousands of images; 0 = use train.ema_decay per step."));
    t.push_back(number<double>("train.ema_decay", [](auto& c) -> auto& { return c.train.ema_decay; }, 0, 1,
        "diffusion: EMA decay per step (when ema_halflife_kimg is 0)."));
    t.push_back(number<double>("train.ema_rampup", [](auto& c) -> auto& { return c.train.ema_rampup; }, 0, kInf,
        "diffusion: EMA half-life ramp-up ratio (EDM: 0.05); 0 = none."));
    t.push_back(flag("train.ema_warmup", [](auto& c) -> auto& { return c.train.ema_warmup; },
        "diffusion, with ema_decay: the decay at optimizer step k is min(ema_decay, (1 + k) / (10 + k)) (ddpm-torch's EMA)."));
    t.push_back(number<double>("train.grad_clip", [](auto& c) -> auto& { return c.train.grad_clip; }, 0, kInf,
        "diffusion: clip the gradient norm to this value; 0 = no clipping."));
    t.push_back(number<std::int64_t>("train.accumulate", [](auto& c) -> auto& { return c.train.accumulate; }, 1, kInf,
        "diffusion: gradient accumulation: each optimizer step of train.batch images runs in this many passes."));
    t.push_back(choice("train.precision", [](auto& c) -> auto& { return c.train.precision; },
        "diffusion: bf16 = bfloat16 autocast for the network on CUDA (weights, optimizer and EMA stay float32)."));
    t.push_back(flag("train.channels_last", [](auto& c) -> auto& { return c.train.channels_last; },
        "diffusion, unets on CUDA: channels-last memory format."));
    t.push_back(number<double>("train.snapshot_kimg", [](auto& c) -> auto& { return c.train.snapshot_kimg; }, 0, kInf,
        "diffusion: while a generation trains, save a resumable snapshot (RUN/gen_NNNN.training/) every this many "
        "thousand images, and always when stopped by a signal; 0 = only when stopped. Resuming continues exactly."));
    t.push_back(number<std::int64_t>("train.stats_every", [](auto& c) -> auto& { return c.train.stats_every; }, 0, kInf,
        "diffusion: every this many optimizer steps (and at a generation's last step) append a row to "
        "RUN/train_stats.jsonl: loss mean and std, gradient norm, lr, images/s, CUDA peak memory; 0 = none."));
    t.push_back(number<double>("gen0.kimg", [](auto& c) -> auto& { return c.gen0.kimg; }, 0, kInf,
        "diffusion: training of generation 0 on real data, thousands of images (after gen0.checkpoint, if any)."));
    t.push_back(text("gen0.checkpoint", [](auto& c) -> auto& { return c.gen0.checkpoint; },
        "diffusion: start generation 0 from this checkpoint directory (model/ema[/optimizer].safetensors, e.g. made by "
        "scripts/convert_checkpoint.py); \"\" = from scratch."));
    t.push_back(number<std::int64_t>("loop.generations", [](auto& c) -> auto& { return c.loop.generations; }, 0, kInf,
        "T: retraining generations after generation 0 (which trains on real data only); 0 = plain training "
        "(`retrain train`)."));
    t.push_back(number<double>("loop.kimg_per_generation", [](auto& c) -> auto& { return c.loop.kimg_per_generation; },
        0, kInf, "diffusion: fine-tuning budget of each generation >= 1, thousands of images (not epochs)."));
    t.push_back(number<double>("loop.lambda", [](auto& c) -> auto& { return c.loop.lambda; }, 0, kInf,
        "lambda: each generation samples floor(lambda * n) synthetic samples from the previous model."));
    t.push_back(choice("loop.real", [](auto& c) -> auto& { return c.loop.real; },
        "Real data in generations >= 1: fixed = the same n samples (paper 1); none = only synthetic "
        "(fully synthetic loop); fresh = a new draw of n real samples each generation."));
    t.push_back(choice("loop.synthetic", [](auto& c) -> auto& { return c.loop.synthetic; },
        "replace: train on this generation's synthetic samples only; accumulate: keep every earlier generation's too."));
    t.push_back(choice("loop.sample_from", [](auto& c) -> auto& { return c.loop.sample_from; },
        "diffusion: synthetic samples and evaluations come from the EMA weights or the raw trained weights."));
    t.push_back(choice("loop.optimizer", [](auto& c) -> auto& { return c.loop.optimizer; },
        "diffusion: each generation resumes Adam's moments (Algorithm 1) or resets them (as some published code does)."));
    t.push_back(number<std::int64_t>("loop.shard_size", [](auto& c) -> auto& { return c.loop.shard_size; }, 1, kInf,
        "Synthetic samples per shard file; a crash while sampling resumes at the first missing shard."));
    t.push_back(choice("loop.correction.type", [](auto& c) -> auto& { return c.loop.correction.type; },
        
        "Self-correction pi_gamma applied to synthetic samples before mixing. oracle_mixture: each sample is "
        "replaced with probability gamma/(1+gamma) by a fresh draw from the true distribution (paper 2's mixture); "
        "nearest_mode: each point moves toward its nearest mode centre by loop.correction.strength; kmeans: each image "
        "moves toward its nearest k-means centroid of the real images (paper 2); torchscript: a user module."));
    t.push_back(number<double>("loop.correction.gamma", [](auto& c) -> auto& { return c.loop.correction.gamma; }, 0, kInf,
        "gamma: correction strength; 0 = no correction, larger = closer to the true distribution."));
    t.push_back(number<double>("loop.correction.strength", [](auto& c) -> auto& { return c.loop.correction.strength; }, 0, 1,
        "nearest_mode, kmeans: fraction of the way to the nearest centre (0 = identity, 1 = the centre)."));
    t.push_back(number<std::int64_t>("loop.correction.k", [](auto& c) -> auto& { return c.loop.correction.k; }, 1, kInf,
        "kmeans: clusters of the real images (per class when labelled; paper 2: 16)."));
    t.push_back(choice("loop.correction.space", [](auto& c) -> auto& { return c.loop.correction.space; },
        "kmeans: cluster in pixel space (paper 2) or in eval.extractor's feature space."));
    t.push_back(text("loop.correction.module", [](auto& c) -> auto& { return c.loop.correction.module; },
        "torchscript: module file mapping images [B,C,H,W] in [-1,1] (and labels [B]) to corrected images."));
    t.push_back(number<std::int64_t>("eval.every", [](auto& c) -> auto& { return c.eval.every; }, 1, kInf,
        "Evaluate every k-th generation; generation 0 and the last generation are always evaluated."));
    t.push_back(number<std::int64_t>("eval.num_samples", [](auto& c) -> auto& { return c.eval.num_samples; }, 0, kInf,
        "diffusion: samples drawn per evaluation (and compared with as many held-out real points); 0 = data.n."));
    t.push_back(text("eval.extractor", [](auto& c) -> auto& { return c.eval.extractor; },
        "image: feature extractor for FID / precision / recall: a TorchScript file (inception-2015-12-05.pt) or a "
        "classifier directory from `retrain features train`; \"\" = no feature metrics."));
    t.push_back(text("eval.reference_stats", [](auto& c) -> auto& { return c.eval.reference_stats; },
        "image: FID against the statistics in this .npz (mu, sigma; as NVlabs/edm's fid.py ref and pytorch-fid write "
        "them, e.g. EDM's cifar10-32x32.npz) instead of the real set's; they must come from eval.extractor's network. "
        "Precision / recall / density / coverage still use the real set. \"\" = the real set's statistics."));
    t.push_back(number<std::int64_t>("eval.k", [](auto& c) -> auto& { return c.eval.k; }, 1, kInf,
        "image: nearest neighbours for precision / recall / density / coverage."));
    t.push_back(number<std::int64_t>("eval.grid", [](auto& c) -> auto& { return c.eval.grid; }, 0, kInf,
        "image: samples shown in each evaluated generation's grid.png; 0 = no grid."));
    t.push_back(text("features.test_path", [](auto& c) -> auto& { return c.features.test_path; },
        "`retrain features train`: held-out images in data.format (cifar10: ignored, the test split is used)."));
    t.push_back(text("features.test_labels", [](auto& c) -> auto& { return c.features.test_labels; },
        "`retrain features train`, idx: the held-out labels file."));
    t.push_back(number<std::int64_t>("features.epochs", [](auto& c) -> auto& { return c.features.epochs; }, 1, kInf,
        "`retrain features train`: epochs over the labelled training images."));
    t.push_back(number<std::int64_t>("features.batch", [](auto& c) -> auto& { return c.features.batch; }, 1, kInf,
        "`retrain features train`: minibatch size."));
    t.push_back(number<double>("features.lr", [](auto& c) -> auto& { return c.features.lr; }, 1e-12, kInf,
        "`retrain features train`: Adam learning rate."));
    t.push_back(number<double>("features.dropout", [](auto& c) -> auto& { return c.features.dropout; }, 0, 0.999,
        "`retrain features train`: dropout on the features while training."));
    t.push_back(text_list("sweep.grid", [](auto& c) -> auto& { return c.sweep.grid; },
        "`retrain sweep` without --grid: the grid's axes, each \"key=v1,v2,...\" (e.g. \"loop.lambda=0,0.1,1\"); the runs are every combination."));
    return t;
  }();
  return table;
}


}  // namespace retrain
