// The typed experiment configuration. Defaults live here, in the member initialisers, and nowhere
// else (components' option structs start from them); src/core/config_keys.cpp binds every key to its
// member with type, range and documentation, and enum-like keys are parsed once into the enums of
// choices.hpp.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "retrain/core/choices.hpp"

namespace retrain {

struct DataConfig {
  DataSource source = DataSource::gaussian;
  std::string name = "8gaussians";          // toy2d: which data set
  double noise = -1;                         // toy2d: the set's noise parameter; < 0 = the reference value
  std::int64_t n = 100;                      // real samples per draw; image: 0 = the whole data set
  DataFormat format = DataFormat::idx;       // image
  std::string path;                          // image: the data set (directory, zip or IDX images file)
  std::string labels;                        // image, idx: the labels file ("" = unlabelled)
  DataSplit split = DataSplit::train;        // image, cifar10
  std::int64_t pad_to = 0;                   // image, idx: zero-pad to pad_to x pad_to
  std::int64_t resolution = 0;               // image: required resolution; 0 = any
  bool use_labels = false;                   // image: keep class labels (conditional models)
  bool class_from_subfolder = false;         // image, folder: label = first-level sub-folder
  bool xflip = false;                        // image: add mirrored copies (EDM's --xflip)
  std::int64_t dim = 1;                      // gaussian: dimension
  std::vector<double> mean;                  // gaussian: empty = zeros
  std::vector<std::vector<double>> cov;      // gaussian: empty = identity
};

struct LearnerConfig {
  LearnerType type = LearnerType::gaussian;
  std::int64_t replicas = 1;                 // independent chains run side by side (gaussian)
};

struct ModelConfig {
  Arch arch = Arch::mlp;                     // mlp (points) | ddpmpp | ncsnpp | ddpm_unet (images)
  std::int64_t width = 256;                  // mlp
  std::int64_t depth = 4;                    // mlp
  std::int64_t embedding_dim = 64;           // mlp
  NoiseEmbedding embedding = NoiseEmbedding::positional;  // mlp
  std::int64_t channels = 128;               // unets: base channel count
  std::vector<double> channel_mult;          // unets: per level; [] = the architecture's preset
  std::int64_t num_blocks = 0;               // unets: residual blocks per level; 0 = preset (4 | 2)
  std::vector<double> attn_resolutions = {16};
  double dropout = 0.1;
  double label_dropout = 0.0;                // ddpmpp/ncsnpp: for classifier-free guidance
  std::int64_t augment_dim = 0;              // ddpmpp/ncsnpp: augmentation-label width (loads EDM nets)
};

struct DdpmConfig {
  std::int64_t timesteps = 1000;
  double beta_start = 1e-4, beta_end = 0.02;
  DdpmVariance variance = DdpmVariance::fixed_large;
  double ddim_eta = 0.0;
  DdimSchedule ddim_schedule = DdimSchedule::linear;
  double clip_x0 = 0.0;                      // > 0: clamp predicted x0 while sampling (images: 1)
};

struct EdmConfig {
  EdmPreconditioning preconditioning = EdmPreconditioning::edm;
  double vp_beta_d = 19.9, vp_beta_min = 0.1, vp_m = 1000, vp_epsilon_t = 1e-5;
  double sigma_data = 0.5, p_mean = -1.2, p_std = 1.2;
  double sigma_min = 0.002, sigma_max = 80.0, rho = 7.0;
  double s_churn = 0.0, s_min = 0.0, s_max = 1e9, s_noise = 1.0;
};

struct CfmConfig {
  FlowCoupling coupling = FlowCoupling::independent;
  double sigma_min = 0.0;
};

struct MethodConfig {
  MethodType type = MethodType::edm;
  SamplerChoice sampler = SamplerChoice::method_default;
  std::int64_t steps = 0;                    // 0 = the method's default
  double guidance = 1.0;                     // classifier-free guidance weight; 1 = none
  std::int64_t sample_batch = 256;           // samples per sampler call
  NoiseMode noise = NoiseMode::philox;       // where per-sample sampling noise comes from
  Precision sample_precision = Precision::fp32;  // the sampler's network calls (step math stays float64)
  bool sample_cuda_graphs = false;               // CUDA: replay the sampler's network call as a graph
  DdpmConfig ddpm;
  EdmConfig edm;
  CfmConfig cfm;
};

struct TrainConfig {
  OptimizerKind optimizer = OptimizerKind::adam;
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
  std::int64_t batch = 256;
  double warmup_kimg = 0.0;
  double ema_halflife_kimg = 0.0;            // > 0: EMA by half-life; 0: by ema_decay
  double ema_decay = 0.999;
  double ema_rampup = 0.0;
  bool ema_warmup = false;                   // decay ramps as min(ema_decay, (1 + k) / (10 + k)) (ddpm-torch)
  double grad_clip = 0.0;
  std::int64_t accumulate = 1;               // gradient accumulation rounds per optimizer step
  Precision precision = Precision::fp32;     // bf16: autocast (CUDA only)
  bool channels_last = false;                // CUDA: channels-last memory format
  double snapshot_kimg = 1000.0;             // resumable snapshot of a generation's training every this many kimg
  std::int64_t stats_every = 100;            // a row of RUN/train_stats.jsonl every this many optimizer steps (0: none)
};

struct Gen0Config {
  double kimg = 100.0;                       // generation 0 training, thousands of images
  std::string checkpoint;                    // start from this checkpoint directory ("" = from scratch)
};

struct CorrectionConfig {
  CorrectionType type = CorrectionType::none;
  double gamma = 0.0;                        // oracle_mixture: pi_gamma strength
  double strength = 1.0;                     // nearest_mode, kmeans: how far toward the centre, in [0, 1]
  std::int64_t k = 16;                       // kmeans: clusters (per class when labelled)
  CorrectionSpace space = CorrectionSpace::pixel;  // kmeans
  std::string module;                        // torchscript: the module file
};

struct LoopConfig {
  std::int64_t generations = 10;             // T retraining generations after generation 0
  double kimg_per_generation = 50.0;         // diffusion: fine-tuning images per generation (thousands)
  double lambda = 1.0;                       // synthetic samples per generation = floor(lambda * n)
  RealMode real = RealMode::fixed;
  SyntheticMode synthetic = SyntheticMode::replace;
  SampleFrom sample_from = SampleFrom::ema;
  OptimizerHandover optimizer = OptimizerHandover::resume;
  std::int64_t shard_size = 5000;            // synthetic samples per shard file
  CorrectionConfig correction;
};

struct EvalConfig {
  std::int64_t every = 1;                    // evaluate every k-th generation (0 and T always)
  std::int64_t num_samples = 0;              // diffusion: samples per evaluation; 0 = data.n
  std::string extractor;                     // image: feature extractor (TorchScript file or classifier dir)
  std::string reference_stats;               // image: FID against these .npz statistics (mu, sigma); "" = the real set's
  std::int64_t k = 3;                        // image: neighbours for precision/recall/density/coverage
  std::int64_t grid = 64;                    // image: samples in each generation's grid.png
};

struct FeaturesConfig {                      // `retrain features train`: the built-in classifier
  std::string test_path;                     // held-out images (same format as data.*); cifar10: test split
  std::string test_labels;                   // idx: held-out labels file
  std::int64_t epochs = 5;
  std::int64_t batch = 32;
  double lr = 2e-3;
  double dropout = 0.25;
};

struct GpuConfig {                           // process-wide CUDA settings (ignored on the CPU)
  bool cudnn_benchmark = true;               // let cuDNN time its convolution algorithms per shape
  bool tf32 = false;                         // float32 matrix products and convolutions in TF32
};

struct DistConfig {                          // several processes on one run (torchrun, srun, launch_local.sh)
  double timeout_s = 1800;                   // how long a rank waits for the others before it fails
  double bucket_mb = 25;                     // gradients per all-reduce bucket (0: one after backward)
};

struct SweepConfig {
  std::vector<std::string> grid;             // `retrain sweep` axes "key=v1,v2,..." when no --grid is given
};

struct Config {
  std::uint64_t seed = 0;
  std::string name;                          // run name; empty = the config file's stem
  std::string out = "runs";                  // parent directory of run directories
  DeviceChoice device = DeviceChoice::automatic;
  GpuConfig gpu;
  DistConfig dist;
  DataConfig data;
  LearnerConfig learner;
  ModelConfig model;
  MethodConfig method;
  TrainConfig train;
  Gen0Config gen0;
  LoopConfig loop;
  EvalConfig eval;
  FeaturesConfig features;
  SweepConfig sweep;
};

// Thousands of images (the *_kimg keys) as a whole number of images.
std::int64_t images_from_kimg(double kimg);

// A "--set key.path=value" override, the value typed like YAML.
struct Override {
  std::string key;
  std::string value;
  bool literal = false;  // true: `value` is a plain string (paths, names), not parsed as YAML
};
// Parses "key.path=value"; UsageError when there is no '=' or the key is empty.
Override parse_override(const std::string& text);

// Loads YAML text (`origin` names it in messages, e.g. the file path), applies overrides, validates
// every key and the cross-key rules. Throws UsageError naming key, position, value and what is allowed.
Config load_config_text(const std::string& yaml_text, const std::string& origin,
                        const std::vector<Override>& overrides = {});
Config load_config_file(const std::filesystem::path& path, const std::vector<Override>& overrides = {});

// Canonical YAML of every key (defaults included), and its hash (hex CRC-32 of that text).
std::string to_yaml(const Config& config);
std::string config_hash(const Config& config);
// The keys whose values differ between `a` and `b`, each as "key: A -> B" (values as messages quote
// them), in the table's order; empty when the two are the same experiment (equal hashes).
std::vector<std::string> config_differences(const Config& a, const Config& b);

// Markdown table of every key: key, type, default, allowed values, meaning. docs/config.md embeds it.
std::string config_reference_markdown();

// The key the user most likely meant (edit distance), or empty when nothing is close.
std::string suggest_key(const std::string& unknown);

}  // namespace retrain
