// The metrics worth a glance, in one list: progress lines, `retrain eval`'s table and a sweep's summary
// show those of them an evaluation reported (a Gaussian fit: spread and W2; points: sliced W2, energy
// distance, modes; images: FID and precision/recall/density/coverage), in this order.
#pragma once
#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <vector>

namespace retrain {

inline constexpr std::array<const char*, 13> kHeadlineMetrics = {
    "std_mean",      "std_ratio_mean", "w2_mean", "sw2",       "energy_distance", "mode_std_ratio", "mode_offset",
    "mode_coverage", "fid",            "precision", "recall", "density",         "coverage"};

// The headline metrics that are numbers in at least one of `rows`, in display order.
std::vector<std::string> headline_columns(const std::vector<nlohmann::json>& rows);
// "fid 12.34  precision 0.6512  ..." for the headline metrics `row` holds as numbers.
std::string headline_summary(const nlohmann::json& row);

}  // namespace retrain
