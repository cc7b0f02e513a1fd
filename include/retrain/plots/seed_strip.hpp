// The same-seed strip of an image run (the image counterpart of the toy density strip): the samples
// of the strip seeds at every committed generation that has them, one row per seed, one column per
// generation (titled with it), built from the committed gen_NNNN/seed_samples.png tiles alone.
#pragma once
#include <filesystem>

namespace retrain {

// A tile: the strip seeds' square samples stacked in one column without gaps (its height a whole
// multiple of its width), row r drawn from seed r (the fixed-seed views use seeds 0, 1, ...). Writes RUN/plots/seed_strip.png (panels enlarged to at least
// kSeedStripPanel pixels) from every committed generation directory of `run` that holds a tile;
// returns false and writes nothing when none does. Throws CorruptFile naming a tile that is
// not such a column or does not match the first one's size.
bool write_seed_strip(const std::filesystem::path& run);

inline constexpr int kSeedStripPanel = 64;

}  // namespace retrain
