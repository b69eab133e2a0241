#pragma once
// Requests counted per endpoint (method and route pattern, e.g.
// "GET /api/v4/groups/{id}/members/all") and per exact path, for tests and benchmarks that
// assert how many GitLab calls a sync made. Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace provisio::sim {

class RequestCounters {
 public:
  void count(const std::string& endpoint, const std::string& path);
  // {"total": N, "endpoints": {endpoint: N}, "paths": {path: N}}
  nlohmann::json snapshot() const;
  void reset();

 private:
  mutable std::mutex mutex_;
  std::uint64_t total_ = 0;
  std::map<std::string, std::uint64_t> endpoints_;
  std::map<std::string, std::uint64_t> paths_;
};

}  // namespace provisio::sim
