// Counter-based random numbers shared by the CUDA kernels and their CPU loops: Philox4x32-10 (Salmon et
// al., SC'11) and a Box-Muller transform built only from IEEE-exact operations (+, -, *, /, sqrt), so
// the same (key, counter) gives bit-identical floats on every CPU and GPU. The files that include it
// are compiled without FMA contraction (CMakeLists.txt), which would otherwise round differently.
#pragma once
#include <math.h>

#include <cstdint>

#include "kernels/host_device.cuh"

namespace retrain::kernels {

struct Philox4 {
  std::uint32_t v[4];
};

// SplitMix64's finaliser: a bijective mixer turning a user seed (0, 1, 2, ...) into a Philox key.
RETRAIN_HD std::uint64_t mix_key(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Philox4x32 with 10 rounds (Random123's constants and word order).
RETRAIN_HD Philox4 philox4x32_10(Philox4 ctr, std::uint32_t k0, std::uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(0xD2511F53u) * ctr.v[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(0xCD9E8D57u) * ctr.v[2];
    ctr = Philox4{{static_cast<std::uint32_t>(p1 >> 32) ^ ctr.v[1] ^ k0, static_cast<std::uint32_t>(p1),
                   static_cast<std::uint32_t>(p0 >> 32) ^ ctr.v[3] ^ k1, static_cast<std::uint32_t>(p0)}};
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return ctr;
}

// The block of four words for element pair `pair` of draw `draw` under a (mixed) 64-bit key.
RETRAIN_HD Philox4 philox_block(std::uint64_t key, std::uint64_t pair, std::uint32_t draw) {
  return philox4x32_10(Philox4{{static_cast<std::uint32_t>(pair), static_cast<std::uint32_t>(pair >> 32), draw, 0u}},
                       static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32));
}

// 53-bit uniforms from two words: [0, 1) and (0, 1].
RETRAIN_HD double uniform_closed_open(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);  // 53 bits
  return static_cast<double>(bits) * (1.0 / 9007199254740992.0);
}
RETRAIN_HD double uniform_open_closed(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
  return static_cast<double>(bits + 1) * (1.0 / 9007199254740992.0);
}

// Natural logarithm of u in (0, 1]: u = m 2^e with m in [sqrt(1/2), sqrt(2)), then
// log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, by its series to s^25 (error < 1e-17).
RETRAIN_HD double portable_log(double u) {
  int e = 0;
  // Exact binary decomposition by repeated doubling (scaling by 2 is exact).
  double m = u;
  while (m < 0.70710678118654752440) {
    m *= 2.0;
    --e;
  }
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  // Horner over 1/(2k+1), k = 12 .. 0 (constants folded at compile time, identically by both compilers).
  double series = 1.0 / 25.0;
  series = 1.0 / 23.0 + s2 * series;
  series = 1.0 / 21.0 + s2 * series;
  series = 1.0 / 19.0 + s2 * series;
  series = 1.0 / 17.0 + s2 * series;
  series = 1.0 / 15.0 + s2 * series;
  series = 1.0 / 13.0 + s2 * series;
  series = 1.0 / 11.0 + s2 * series;
  series = 1.0 / 9.0 + s2 * series;
  series = 1.0 / 7.0 + s2 * series;
  series = 1.0 / 5.0 + s2 * series;
  series = 1.0 / 3.0 + s2 * series;
  series = 1.0 + s2 * series;
  return static_cast<double>(e) * 0.69314718055994530942 + 2.0 * s * series;
}

// sin and cos of pi/2 * t for t in [0, 1/2] by their Taylor series (phi <= pi/4: error < 1e-17).
RETRAIN_HD void sincos_quarter(double t, double* sin_out, double* cos_out) {
  const double phi = t * 1.57079632679489661923, p2 = phi * phi;
  // Horner in phi^2 with the factorials' reciprocals (to phi^19 / 19! and phi^18 / 18!).
  const double s = 1.0 + p2 * (-1.0 / 6.0 + p2 * (1.0 / 120.0 + p2 * (-1.0 / 5040.0 + p2 * (1.0 / 362880.0 +
                   p2 * (-1.0 / 39916800.0 + p2 * (1.0 / 6227020800.0 + p2 * (-1.0 / 1307674368000.0 +
                   p2 * (1.0 / 355687428096000.0 + p2 * (-1.0 / 121645100408832000.0)))))))));
  const double c = 1.0 + p2 * (-1.0 / 2.0 + p2 * (1.0 / 24.0 + p2 * (-1.0 / 720.0 + p2 * (1.0 / 40320.0 +
                   p2 * (-1.0 / 3628800.0 + p2 * (1.0 / 479001600.0 + p2 * (-1.0 / 87178291200.0 +
                   p2 * (1.0 / 20922789888000.0 + p2 * (-1.0 / 6402373705728000.0)))))))));
  *sin_out = phi * s;
  *cos_out = c;
}

// sin and cos of 2 pi u for u in [0, 1): the quadrant and the angle within it are exact in binary.
RETRAIN_HD void sincos_turn(double u, double* sin_out, double* cos_out) {
  const double four_u = u * 4.0;
  const int q = four_u < 1.0 ? 0 : four_u < 2.0 ? 1 : four_u < 3.0 ? 2 : 3;
  const double r = four_u - q;  // in [0, 1), exact
  double s, c;
  if (r <= 0.5) {
    sincos_quarter(r, &s, &c);
  } else {
    sincos_quarter(1.0 - r, &c, &s);  // sin(pi/2 r) = cos(pi/2 (1 - r))
  }
  const double sin_v[4] = {s, c, -s, -c}, cos_v[4] = {c, -s, -c, s};
  *sin_out = sin_v[q];
  *cos_out = cos_v[q];
}

// Two independent standard normals from one Philox block (Box-Muller).
RETRAIN_HD void normal_pair(Philox4 block, double* z0, double* z1) {
  const double radius = sqrt(-2.0 * portable_log(uniform_open_closed(block.v[0], block.v[1])));
  double s, c;
  sincos_turn(uniform_closed_open(block.v[2], block.v[3]), &s, &c);
  *z0 = radius * c;
  *z1 = radius * s;
}

// Element `index` of the standard normal stream (key, draw): elements 2j and 2j+1 share block j.
RETRAIN_HD double normal_at(std::uint64_t key, std::uint32_t draw, std::uint64_t index) {
  double z0, z1;
  normal_pair(philox_block(key, index >> 1, draw), &z0, &z1);
  return (index & 1) ? z1 : z0;
}

// Element `index` of the uniform [0, 1) stream (key, draw): two 53-bit uniforms per block.
RETRAIN_HD double uniform_at(std::uint64_t key, std::uint32_t draw, std::uint64_t index) {
  const Philox4 b = philox_block(key, index >> 1, draw);
  return (index & 1) ? uniform_closed_open(b.v[2], b.v[3]) : uniform_closed_open(b.v[0], b.v[1]);
}

}  // namespace retrain::kernels
