#pragma once
// A count as a person reads it in a log line: 20118 -> "20,118".

#include <cstddef>
#include <string>

namespace provisio::sync {

inline std::string thousands(std::size_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

}  // namespace provisio::sync
