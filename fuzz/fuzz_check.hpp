#pragma once
// What the fuzz targets share: a check that stops the run with a message when a property of the
// code under test does not hold (libFuzzer then saves the input as a crash), and a text test for
// the promise that what we keep from an input can be written out as JSON again.

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

namespace provisio::fuzz {

inline void require(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", property);
  std::abort();
}

// True when nlohmann's strict dump() takes the text, i.e. it is well-formed UTF-8: every JSON
// answer and every JSON column the text reaches would throw otherwise.
inline bool dumps(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

}  // namespace provisio::fuzz
