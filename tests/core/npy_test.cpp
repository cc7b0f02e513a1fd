// .npy files: round trip, the exact v1.0 header numpy expects, and readable by numpy itself.
#include <gtest/gtest.h>

#include <cstdlib>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/npy.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

TEST(Npy, RoundTripsShapesAndDtypes) {
  test::ScratchDir dir;
  for (auto t : {torch::randn({5, 2}), torch::randn({3}, torch::kFloat64), torch::arange(6).reshape({1, 2, 3}),
                 torch::randint(0, 255, {4, 4}).to(torch::kUInt8)}) {
    save_npy(dir / "a.npy", t);
    auto back = load_npy(dir / "a.npy");
    EXPECT_EQ(back.sizes(), t.sizes());
    EXPECT_TRUE(torch::equal(back, t));
  }
}

TEST(Npy, HeaderIsPaddedToSixtyFourBytes) {
  test::ScratchDir dir;
  save_npy(dir / "a.npy", torch::zeros({7, 2}));
  const std::string bytes = read_file(dir / "a.npy");
  const std::size_t header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_NE(bytes.find("'shape': (7, 2)"), std::string::npos);
  EXPECT_EQ(bytes.size(), 10 + header_len + 7 * 2 * 4);
}

TEST(Npy, NumpyReadsIt) {
  const std::string python = std::string(test::kSourceDir) + "/.venv/bin/python";
  if (!std::filesystem::exists(python)) GTEST_SKIP() << "no .venv python";
  test::ScratchDir dir;
  save_npy(dir / "a.npy", torch::tensor({1.5f, -2.0f, 3.25f, 4.0f}).reshape({2, 2}));
  const std::string cmd = python + " -c \"import numpy as np; a = np.load('" + (dir / "a.npy").string() +
                          "'); assert a.shape == (2, 2) and a.dtype == np.float32 and a[1, 0] == 3.25\"";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace retrain
