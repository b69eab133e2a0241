#pragma once
// SplitMix64: a tiny, fast PRNG whose output is fixed by its seed on every platform and library
// version (unlike std::uniform_int_distribution), so generated worlds and fault sequences are
// reproducible byte for byte.
//
// Thread safety: none; one instance per thread.

#include <cstdint>

namespace provisio::sim {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound). REQUIRES: bound > 0. The modulo bias is below 2^-40 for the bounds
  // used here, and the result is the same everywhere, which is what matters.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }

  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // True with probability p.
  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t state_;
};

}  // namespace provisio::sim
