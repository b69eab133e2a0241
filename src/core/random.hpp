#pragma once
// The Random seam: jitter and generated names draw from it, so tests fix the sequence.
// Not thread-safe: one instance per thread of use.

#include <cstdint>
#include <random>
#include <string>

namespace provisio {

class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint64_t next() = 0;
  // Uniform in [0, bound); bound > 0.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }
};

// splitmix64: small, fast, and the same sequence on every platform for a given seed.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  // Seeded from the operating system's entropy.
  SeededRandom()
      : state_((static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
               std::random_device{}()) {}
  std::uint64_t next() override {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// A version-4 UUID drawn from `random`.
inline std::string random_uuid(Random& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  const std::uint64_t hi = random.next();
  const std::uint64_t lo = random.next();
  for (int i = 0; i < 32; ++i) {
    std::uint64_t word = i < 16 ? hi : lo;
    int nibble = static_cast<int>((word >> ((15 - (i % 16)) * 4)) & 0xf);
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // variant 10xx
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back(kHex[nibble]);
  }
  return out;
}

}  // namespace provisio
