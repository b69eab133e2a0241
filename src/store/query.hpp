#pragma once
// Small helpers for building queries. Internal to src/store.

#include <chrono>
#include <string>

#include "store/sql.hpp"

namespace provisio::store {

// "%text%" in lower case, with LIKE's wildcards escaped (use with ESCAPE '\').
inline std::string like_pattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  out.push_back('%');
  return out;
}

// " LIMIT n OFFSET m" for a 1-based page.
inline std::string limit_offset(sql::Binder& b, int page_index, int page_size) {
  const long long size = std::clamp(page_size, 1, 10000);
  const long long offset = static_cast<long long>(std::max(page_index, 1) - 1) * size;
  return " LIMIT " + b.add(size) + " OFFSET " + b.add(offset);
}

// Runs a query whose columns `row` bound with into(), and returns every row it read.
template <typename Row>
auto collect(sql::Binder& b, Row& row, const std::string& sql) {
  std::vector<decltype(row.get())> out;
  if (b.query(sql)) {
    do {
      out.push_back(row.get());
    } while (b.statement().fetch());
  }
  return out;
}

inline long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace provisio::store
