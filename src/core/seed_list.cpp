// parse_seed_list: comma-separated numbers and inclusive ranges.
#include "retrain/core/seed_list.hpp"

#include <fmt/format.h>

#include <charconv>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

std::uint64_t number(const std::string& text, const std::string& part, const std::string& whole) {
  std::uint64_t v = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end)
    throw UsageError(fmt::format("seeds '{}': '{}' is not a seed (expected N or A-B, e.g. 0-63,100)", whole, part));
  return v;
}

}  // namespace

std::vector<std::uint64_t> parse_seed_list(const std::string& text, std::size_t max_count) {
  std::vector<std::uint64_t> seeds;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto dash = part.find('-');
    const auto lo = number(part.substr(0, dash), part, text);
    const auto hi = dash == std::string::npos ? lo : number(part.substr(dash + 1), part, text);
    if (hi < lo) throw UsageError(fmt::format("seeds '{}': range '{}' runs backwards", text, part));
    if (hi - lo >= max_count || seeds.size() + (hi - lo + 1) > max_count)
      throw UsageError(fmt::format("seeds '{}': more than {} seeds", text, max_count));
    for (auto s = lo;; ++s) {
      seeds.push_back(s);
      if (s == hi) break;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return seeds;
}

}  // namespace retrain
