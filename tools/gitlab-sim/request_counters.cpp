#include "request_counters.hpp"

#include <algorithm>

namespace provisio::sim {

void RequestCounters::count(const std::string& endpoint, const std::string& path) {
  std::lock_guard lock(mutex_);
  ++total_;
  ++endpoints_[endpoint];
  ++paths_[path];
}

void RequestCounters::count_graphql(int operations, bool multiplexed, int complexity, bool refused,
                                    const std::map<std::string, int>& root_fields) {
  std::lock_guard lock(mutex_);
  ++graphql_.requests;
  graphql_.operations += static_cast<std::uint64_t>(std::max(0, operations));
  if (multiplexed) ++graphql_.multiplexed;
  graphql_.complexity += static_cast<std::uint64_t>(std::max(0, complexity));
  if (refused) ++graphql_.refused;
  for (const auto& [field, n] : root_fields) {
    graphql_.root_fields[field] += static_cast<std::uint64_t>(std::max(0, n));
  }
}

nlohmann::json RequestCounters::snapshot() const {
  std::lock_guard lock(mutex_);
  return {{"total", total_},
          {"endpoints", endpoints_},
          {"paths", paths_},
          {"graphql",
           {{"requests", graphql_.requests},
            {"operations", graphql_.operations},
            {"multiplexed_requests", graphql_.multiplexed},
            {"complexity", graphql_.complexity},
            {"refused_for_complexity", graphql_.refused},
            {"root_fields", graphql_.root_fields}}}};
}

void RequestCounters::reset() {
  std::lock_guard lock(mutex_);
  total_ = 0;
  endpoints_.clear();
  paths_.clear();
  graphql_ = {};
}

}  // namespace provisio::sim
