#pragma once
// Requests counted per endpoint (method and route pattern, e.g.
// "GET /api/v4/groups/{id}/members/all") and per exact path, for tests and benchmarks that
// assert how many GitLab calls a sync made; and what the GraphQL requests asked (queries, how
// many were multiplexed, complexity, refusals, root fields). Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace provisio::sim {

class RequestCounters {
 public:
  void count(const std::string& endpoint, const std::string& path);
  // One POST /api/graphql: `operations` queries (more than one when multiplexed), their
  // complexity together, whether the limit refused them, and the Query fields they asked.
  void count_graphql(int operations, bool multiplexed, int complexity, bool refused,
                     const std::map<std::string, int>& root_fields);
  // {"total": N, "endpoints": {endpoint: N}, "paths": {path: N}, "graphql": {"requests",
  //  "operations", "multiplexed_requests", "complexity", "refused_for_complexity",
  //  "root_fields": {field: N}}}
  nlohmann::json snapshot() const;
  void reset();

 private:
  mutable std::mutex mutex_;
  std::uint64_t total_ = 0;
  std::map<std::string, std::uint64_t> endpoints_;
  std::map<std::string, std::uint64_t> paths_;
  struct Graphql {
    std::uint64_t requests = 0, operations = 0, multiplexed = 0, complexity = 0, refused = 0;
    std::map<std::string, std::uint64_t> root_fields;
  } graphql_;
};

}  // namespace provisio::sim
