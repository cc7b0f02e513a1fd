// The enum-like settings of the config (e.g. loop.real: fixed | none | fresh), each an enum with the
// names the YAML uses, in one place. The config parses a name once, when it loads; every room then
// compares enums, and messages and the resolved config print choice_name(value).
#pragma once
#include <fmt/format.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace retrain {

enum class DeviceChoice { automatic, cpu, cuda };
enum class DataSource { gaussian, toy2d, image };
enum class DataFormat { cifar10, edm, folder, idx };
enum class DataSplit { train, test };
enum class LearnerType { gaussian, diffusion };
enum class Arch { mlp, ddpmpp, ncsnpp, ddpm_unet };
// The MLP denoiser's noise-level embedding: positional [cos(v f_k), sin(v f_k)], f_k =
// max_positions^(-k/half) (DDPM / EDM ddpm++); fourier [cos(2 pi v f_k), sin(2 pi v f_k)], f_k ~
// N(0, fourier_scale^2) fixed at init (NCSN++).
enum class NoiseEmbedding { positional, fourier };
enum class MethodType { ddpm, edm, cfm };
enum class SamplerChoice { method_default, ancestral, ddim, euler, heun };
enum class Precision { fp32, bf16 };
// Where per-sample noise comes from: counter-based Philox keyed by (seed, draw, element), or a CPU
// torch generator per sample seeded with its seed (NVlabs/edm's per-seed latents).
enum class NoiseMode { philox, torch };
// DDPM ancestral sampling: fixed_large sigma_t^2 = beta_t; fixed_small the posterior variance
// beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t).
enum class DdpmVariance { fixed_large, fixed_small };
// DDIM's step selection: linear t_i = floor(i T / S); quadratic t_i = floor((i sqrt(0.8 T) / (S - 1))^2)
// with repeated steps dropped (DDIM's CIFAR-10 choice, denser near t = 0).
enum class DdimSchedule { linear, quadratic };
enum class EdmPreconditioning { edm, vp };
// Flow matching: noise and data paired at random, or re-paired per minibatch by the exact OT
// assignment on squared distances.
enum class FlowCoupling { independent, minibatch_ot };
enum class OptimizerKind { adam, adamw };
enum class CorrectionType { none, oracle_mixture, nearest_mode, kmeans, torchscript };
enum class CorrectionSpace { pixel, features };
enum class RealMode { fixed, none, fresh };
enum class SyntheticMode { replace, accumulate };
enum class SampleFrom { ema, raw };
enum class OptimizerHandover { resume, reset };  // Adam's moments from one generation to the next

// Choices<E>::items: every (YAML name, value) pair of E, in the order the docs list them.
template <class E>
struct Choices;

template <class E>
using Named = std::pair<std::string_view, E>;

template <>
struct Choices<DeviceChoice> {
  static constexpr auto items = std::to_array<Named<DeviceChoice>>({
      {"auto", DeviceChoice::automatic}, {"cpu", DeviceChoice::cpu}, {"cuda", DeviceChoice::cuda}});
};
template <>
struct Choices<DataSource> {
  static constexpr auto items = std::to_array<Named<DataSource>>({
      {"gaussian", DataSource::gaussian}, {"toy2d", DataSource::toy2d}, {"image", DataSource::image}});
};
template <>
struct Choices<DataFormat> {
  static constexpr auto items = std::to_array<Named<DataFormat>>({
      {"cifar10", DataFormat::cifar10}, {"edm", DataFormat::edm}, {"folder", DataFormat::folder},
      {"idx", DataFormat::idx}});
};
template <>
struct Choices<DataSplit> {
  static constexpr auto items = std::to_array<Named<DataSplit>>({
      {"train", DataSplit::train}, {"test", DataSplit::test}});
};
template <>
struct Choices<LearnerType> {
  static constexpr auto items = std::to_array<Named<LearnerType>>({
      {"gaussian", LearnerType::gaussian}, {"diffusion", LearnerType::diffusion}});
};
template <>
struct Choices<Arch> {
  static constexpr auto items = std::to_array<Named<Arch>>({
      {"mlp", Arch::mlp}, {"ddpmpp", Arch::ddpmpp}, {"ncsnpp", Arch::ncsnpp}, {"ddpm_unet", Arch::ddpm_unet}});
};
template <>
struct Choices<NoiseEmbedding> {
  static constexpr auto items = std::to_array<Named<NoiseEmbedding>>({
      {"positional", NoiseEmbedding::positional}, {"fourier", NoiseEmbedding::fourier}});
};
template <>
struct Choices<MethodType> {
  static constexpr auto items = std::to_array<Named<MethodType>>({
      {"ddpm", MethodType::ddpm}, {"edm", MethodType::edm}, {"cfm", MethodType::cfm}});
};
template <>
struct Choices<SamplerChoice> {
  static constexpr auto items = std::to_array<Named<SamplerChoice>>({
      {"default", SamplerChoice::method_default}, {"ancestral", SamplerChoice::ancestral},
      {"ddim", SamplerChoice::ddim}, {"euler", SamplerChoice::euler}, {"heun", SamplerChoice::heun}});
};
template <>
struct Choices<Precision> {
  static constexpr auto items = std::to_array<Named<Precision>>({
      {"fp32", Precision::fp32}, {"bf16", Precision::bf16}});
};
template <>
struct Choices<NoiseMode> {
  static constexpr auto items = std::to_array<Named<NoiseMode>>({
      {"philox", NoiseMode::philox}, {"torch", NoiseMode::torch}});
};
template <>
struct Choices<DdpmVariance> {
  static constexpr auto items = std::to_array<Named<DdpmVariance>>({
      {"fixed_large", DdpmVariance::fixed_large}, {"fixed_small", DdpmVariance::fixed_small}});
};
template <>
struct Choices<DdimSchedule> {
  static constexpr auto items = std::to_array<Named<DdimSchedule>>({
      {"linear", DdimSchedule::linear}, {"quadratic", DdimSchedule::quadratic}});
};
template <>
struct Choices<EdmPreconditioning> {
  static constexpr auto items = std::to_array<Named<EdmPreconditioning>>({
      {"edm", EdmPreconditioning::edm}, {"vp", EdmPreconditioning::vp}});
};
template <>
struct Choices<FlowCoupling> {
  static constexpr auto items = std::to_array<Named<FlowCoupling>>({
      {"independent", FlowCoupling::independent}, {"minibatch_ot", FlowCoupling::minibatch_ot}});
};
template <>
struct Choices<OptimizerKind> {
  static constexpr auto items = std::to_array<Named<OptimizerKind>>({
      {"adam", OptimizerKind::adam}, {"adamw", OptimizerKind::adamw}});
};
template <>
struct Choices<CorrectionType> {
  static constexpr auto items = std::to_array<Named<CorrectionType>>({
      {"none", CorrectionType::none}, {"oracle_mixture", CorrectionType::oracle_mixture},
      {"nearest_mode", CorrectionType::nearest_mode}, {"kmeans", CorrectionType::kmeans},
      {"torchscript", CorrectionType::torchscript}});
};
template <>
struct Choices<CorrectionSpace> {
  static constexpr auto items = std::to_array<Named<CorrectionSpace>>({
      {"pixel", CorrectionSpace::pixel}, {"features", CorrectionSpace::features}});
};
template <>
struct Choices<RealMode> {
  static constexpr auto items = std::to_array<Named<RealMode>>({
      {"fixed", RealMode::fixed}, {"none", RealMode::none}, {"fresh", RealMode::fresh}});
};
template <>
struct Choices<SyntheticMode> {
  static constexpr auto items = std::to_array<Named<SyntheticMode>>({
      {"replace", SyntheticMode::replace}, {"accumulate", SyntheticMode::accumulate}});
};
template <>
struct Choices<SampleFrom> {
  static constexpr auto items = std::to_array<Named<SampleFrom>>({
      {"ema", SampleFrom::ema}, {"raw", SampleFrom::raw}});
};
template <>
struct Choices<OptimizerHandover> {
  static constexpr auto items = std::to_array<Named<OptimizerHandover>>({
      {"resume", OptimizerHandover::resume}, {"reset", OptimizerHandover::reset}});
};

// The YAML name of `value`.
template <class E>
constexpr std::string_view choice_name(E value) {
  for (const auto& [name, v] : Choices<E>::items)
    if (v == value) return name;
  return "?";
}

// The value named `name`; nullopt when E has no such name.
template <class E>
constexpr std::optional<E> parse_choice(std::string_view name) {
  for (const auto& [n, v] : Choices<E>::items)
    if (n == name) return v;
  return std::nullopt;
}

// "a, b, c": every name of E, for messages and the docs.
template <class E>
std::string choice_names() {
  std::string out;
  for (const auto& [name, v] : Choices<E>::items) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace retrain

// fmt prints a choice by its YAML name: fmt::format("{}", RealMode::fixed) == "fixed".
template <class E>
  requires requires { retrain::Choices<E>::items; }
struct fmt::formatter<E> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(E value, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(retrain::choice_name(value), ctx);
  }
};
