// The names inside a run directory (see run_layout.hpp).
#include "retrain/core/run_layout.hpp"

#include <fmt/format.h>

#include <charconv>

namespace retrain::run_layout {

namespace fs = std::filesystem;

namespace {
constexpr const char* kPrefix = "gen_";
constexpr std::size_t kMinDigits = 4;
}  // namespace

std::string generation_name(std::int64_t generation) { return fmt::format("gen_{:04d}", generation); }

fs::path generation_dir(const fs::path& run, std::int64_t generation) { return run / generation_name(generation); }

std::optional<std::int64_t> parse_generation_name(const std::string& name) {
  if (!name.starts_with(kPrefix)) return std::nullopt;
  const std::string digits = name.substr(std::string(kPrefix).size());
  if (digits.size() < kMinDigits || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  std::int64_t generation = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), generation);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return generation;
}

fs::path staging_dir(const fs::path& run, std::int64_t generation) {
  return run / (generation_name(generation) + ".tmp");
}

bool is_staging_name(const std::string& name) { return name.starts_with(kPrefix) && name.ends_with(".tmp"); }

fs::path set_aside_dir(const fs::path& run, std::int64_t generation, int k) {
  return run / fmt::format("{}.invalid-{}", generation_name(generation), k);
}

fs::path samples_dir(const fs::path& run, std::int64_t generation) {
  return run / (generation_name(generation) + ".samples");
}

fs::path training_dir(const fs::path& run, std::int64_t generation) {
  return run / (generation_name(generation) + ".training");
}

bool is_run(const fs::path& dir) {
  return fs::is_regular_file(dir / kConfigFile) && fs::is_regular_file(dir / kRunFile);
}

}  // namespace retrain::run_layout
