#include "request_counters.hpp"

namespace provisio::sim {

void RequestCounters::count(const std::string& endpoint, const std::string& path) {
  std::lock_guard lock(mutex_);
  ++total_;
  ++endpoints_[endpoint];
  ++paths_[path];
}

nlohmann::json RequestCounters::snapshot() const {
  std::lock_guard lock(mutex_);
  return {{"total", total_}, {"endpoints", endpoints_}, {"paths", paths_}};
}

void RequestCounters::reset() {
  std::lock_guard lock(mutex_);
  total_ = 0;
  endpoints_.clear();
  paths_.clear();
}

}  // namespace provisio::sim
