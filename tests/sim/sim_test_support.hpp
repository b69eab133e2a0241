#pragma once
// Calls into a Simulator's router without sockets, for the rule and shape tests.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "http/router.hpp"
#include "http/target.hpp"
#include "simulator.hpp"
#include "world_json.hpp"

namespace provisio::sim::testing {

// 2025-06-01T12:00:00Z: "today" of every rule test.
inline constexpr std::int64_t kNow = 1748779200;

struct Answer {
  int status = 0;
  nlohmann::json body;  // null when the body is not JSON
  std::string raw;
  std::map<std::string, std::string> headers;  // names in lower case
  bool has(const std::string& name) const { return headers.count(name) > 0; }
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "<absent>" : it->second;
  }
};

inline Answer call(const http::Router& router, const std::string& method, const std::string& target,
                   const std::string& token = "",
                   const std::map<std::string, std::string>& headers = {},
                   const std::string& body = "") {
  auto parsed = http::parse_target(target);
  http::HttpRequest request;
  request.method = method;
  request.path = parsed->path;
  request.query = parsed->query;
  request.headers["host"] = "gitlab.test";
  if (!token.empty()) request.headers["private-token"] = token;
  for (const auto& [k, v] : headers) {
    std::string key = k;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[key] = v;
  }
  request.body = body;
  request.remote_address = "127.0.0.1";
  const http::HttpResponse response = router.handle(request);
  Answer out;
  out.status = response.status;
  out.raw = response.body;
  out.body = nlohmann::json::parse(response.body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  for (const auto& [k, v] : response.headers) {
    std::string key = k;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[key] = v;
  }
  return out;
}

inline Answer get(const http::Router& router, const std::string& target,
                  const std::string& token = "") {
  return call(router, "GET", target, token);
}

inline SimulatorOptions fixed_clock() {
  SimulatorOptions options;
  options.clock = [] { return kNow; };
  return options;
}

}  // namespace provisio::sim::testing
