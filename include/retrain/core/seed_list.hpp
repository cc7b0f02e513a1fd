// Seed lists as users write them on the command line: "0-63", "5", "0-9,100,200-204".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace retrain {

// The seeds in order (ranges inclusive). UsageError naming the bad part for empty parts, non-numbers,
// reversed ranges, or more than `max_count` seeds.
std::vector<std::uint64_t> parse_seed_list(const std::string& text, std::size_t max_count = 10'000'000);

}  // namespace retrain
