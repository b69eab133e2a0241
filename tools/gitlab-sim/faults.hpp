#pragma once
// Faults the simulator injects, each set by a flag and changeable at run time through the
// control API:
//   latency       every API answer is held back this long (asynchronously: the I/O thread keeps
//                 serving other connections)
//   rate limit    at most `limit` requests per `period` (one fixed window for the whole
//                 instance); the request over it gets 429 "Retry later" with Retry-After, and every
//                 answer carries RateLimit-Name/Limit/Observed/Remaining/Reset/ResetTime
//   failure rate  this fraction of requests fails as one of 500, 502, timeout (an answer delayed
//                 by `timeout_delay`, longer than any client waits) or a truncated body; which
//                 requests fail follows a PRNG seeded by `seed`, so a run is reproducible
//   fail paths    request paths that always fail ('*' matches any run of characters), as
//                 `fail_kind` says: "500", "404" (a path GitLab does not serve, e.g.
//                 /api/graphql on a GitLab without it), "401" or "403" (a token the path
//                 refuses), "malformed" (200 with a body that is not
//                 JSON) or "truncated_json" (200 with half the real body and a Content-Length that
//                 matches it, as a proxy that gave up would send: the transfer itself looks
//                 complete)
//   rate windows  the requests seen and refused in each window of the rate limit, so a test can
//                 check that a client never sent faster than the limit allows
//   endpoint limits  limits of one endpoint (per user, or per user and path), as GitLab's
//                 application rate limiter applies them: windows aligned on the period, and a 429
//                 {"message":{"error":"This endpoint has been requested too many times. Try again
//                 later."}} with Retry-After set to the period and no RateLimit-* headers
//   profile "gitlab.com"  GitLab.com's published limits (doc/user/gitlab_com/rate_limits.md):
//                 2,000 API requests a minute (GraphQL included, windows aligned on the minute,
//                 RateLimit-* headers on every answer), GET /groups/:id 400 a minute,
//                 /groups/:id/projects 600, /projects/:id 400, /groups 50, /projects 2,000 per 10
//                 minutes, /users/:id 300 per 10 minutes, /members/all 200 a minute per source
//
// Thread safety: all methods may be called from any thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "http/http_types.hpp"
#include "prng.hpp"

namespace provisio::sim {

// A limit of one endpoint ("GET /api/v4/groups/{id}": the simulator's route), per caller or, with
// per_path, per caller and path (one group's /members/all).
struct EndpointLimit {
  std::string endpoint;
  std::int64_t limit = 0;
  std::int64_t period_s = 60;
  bool per_path = false;
};

// GitLab.com's limits (see the header comment); `profile` names them in the configuration.
std::vector<EndpointLimit> gitlab_com_endpoint_limits();

struct FaultConfig {
  std::chrono::milliseconds latency{0};
  std::int64_t rate_limit = 0;  // requests per period; 0 = no limit
  std::chrono::seconds rate_limit_period{60};
  double failure_rate = 0.0;  // 0..1
  std::uint64_t seed = 1;
  // Which failures the failure rate picks from: "500", "502", "timeout", "truncated".
  std::vector<std::string> failure_kinds{"500", "502", "timeout", "truncated"};
  std::chrono::milliseconds timeout_delay{60000};
  std::vector<std::string> fail_paths;
  std::string fail_kind = "500";  // "500", "404", "401", "403", "malformed", "truncated_json"
  // RateLimit-* headers on every answer (true), or only on the 429 answers (false), as GitLab's
  // Rack::Attack does unless rate limit headers for unthrottled requests are turned on.
  bool rate_limit_headers_on_every_answer = true;
  // Windows start at multiples of the period (Rack::Attack's), rather than at the first request.
  bool rate_limit_aligned = false;
  std::vector<EndpointLimit> endpoint_limits;
  std::string profile;  // "" or "gitlab.com" (which sets the limits above)
};

// The configuration of a named profile over `base` ("gitlab.com"); kInvalidArgument for another
// name.
Result<FaultConfig> with_profile(FaultConfig base, const std::string& profile);

// One window of the rate limit: when it started (Unix seconds), the requests counted in it, and
// how many of them were refused with 429.
struct RateWindow {
  std::int64_t start = 0;
  std::int64_t observed = 0;
  std::int64_t throttled = 0;
};

// JSON in and out for the control API (keys as in FaultConfig, durations in ms / s).
nlohmann::json to_json(const FaultConfig& config);
// Applies the keys present in `patch` over `config`; kInvalidArgument for a bad value.
Status apply_json(FaultConfig& config, const nlohmann::json& patch);

// True when `path` matches `pattern` ('*' = any run of characters).
bool path_matches(std::string_view pattern, std::string_view path);

class FaultInjector {
 public:
  explicit FaultInjector(FaultConfig config);

  FaultConfig config() const;
  void set_config(FaultConfig config);  // also restarts the failure sequence and rate window

  struct Decision {
    std::optional<http::HttpResponse> answer;  // replaces the handler's answer when set
    bool truncate = false;                     // cut the handler's body in half
    bool cut_json = false;  // send half the handler's body as if it were all of it
  };
  // Before the handler of `endpoint` ("GET /api/v4/groups/{id}"): a fail path, a 429, or a
  // failure drawn by the failure rate. `now` is Unix seconds.
  Decision before(std::string_view endpoint, std::string_view path, std::int64_t now);
  // The 429s of endpoint limits so far, by endpoint.
  std::map<std::string, std::int64_t> endpoint_throttled() const;
  // After the handler (or on the replacing answer): adds the rate limit headers and latency,
  // and truncates the body when the decision says so.
  void after(http::HttpResponse& response, const Decision& decision);

  // The windows of the rate limit since the last set_config(), oldest first (at most the last
  // 1,000).
  std::vector<RateWindow> rate_windows() const;

 private:
  void add_rate_headers(http::HttpResponse& response) const;

  mutable std::mutex mutex_;
  FaultConfig config_;
  SplitMix64 rng_;
  RateWindow window_;
  std::vector<RateWindow> past_windows_;
  struct EndpointWindow {
    std::int64_t start = 0;
    std::int64_t count = 0;
  };
  std::map<std::string, EndpointWindow> endpoint_windows_;  // by endpoint (and path)
  std::map<std::string, std::int64_t> endpoint_throttled_;
};

}  // namespace provisio::sim
