#include "faults.hpp"

#include <algorithm>

#include "gitlab_errors.hpp"
#include "time_format.hpp"

namespace provisio::sim {

std::vector<EndpointLimit> gitlab_com_endpoint_limits() {
  return {{"GET /api/v4/groups/{id}", 400, 60, false},
          {"GET /api/v4/groups/{id}/projects", 600, 60, false},
          {"GET /api/v4/projects/{id}", 400, 60, false},
          {"GET /api/v4/groups", 50, 60, false},
          {"GET /api/v4/projects", 2000, 600, false},
          {"GET /api/v4/users/{id}", 300, 600, false},
          {"GET /api/v4/projects/{id}/members/all", 200, 60, true},
          {"GET /api/v4/groups/{id}/members/all", 200, 60, true}};
}

Result<FaultConfig> with_profile(FaultConfig c, const std::string& profile) {
  if (profile.empty()) {
    c.profile.clear();
    return c;
  }
  if (profile != "gitlab.com") {
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown profile '" + profile + "' (known: gitlab.com)");
  }
  c.profile = profile;
  c.rate_limit = 2000;
  c.rate_limit_period = std::chrono::seconds(60);
  c.rate_limit_aligned = true;
  c.rate_limit_headers_on_every_answer = true;
  c.endpoint_limits = gitlab_com_endpoint_limits();
  return c;
}

nlohmann::json to_json(const FaultConfig& c) {
  return {{"latency_ms", c.latency.count()},
          {"rate_limit", c.rate_limit},
          {"rate_limit_period_s", c.rate_limit_period.count()},
          {"failure_rate", c.failure_rate},
          {"seed", c.seed},
          {"failure_kinds", c.failure_kinds},
          {"timeout_delay_ms", c.timeout_delay.count()},
          {"fail_paths", c.fail_paths},
          {"fail_kind", c.fail_kind},
          {"rate_limit_headers_on_every_answer", c.rate_limit_headers_on_every_answer},
          {"rate_limit_aligned", c.rate_limit_aligned},
          {"endpoint_limits",
           [&] {
             nlohmann::json limits = nlohmann::json::array();
             for (const EndpointLimit& l : c.endpoint_limits) {
               limits.push_back({{"endpoint", l.endpoint},
                                 {"limit", l.limit},
                                 {"period_s", l.period_s},
                                 {"per_path", l.per_path}});
             }
             return limits;
           }()},
          {"profile", c.profile}};
}

Status apply_json(FaultConfig& c, const nlohmann::json& patch) {
  if (!patch.is_object()) return make_error(ErrorCode::kInvalidArgument, "expected an object");
  try {
    FaultConfig next = c;
    if (patch.contains("latency_ms"))
      next.latency = std::chrono::milliseconds(patch["latency_ms"].get<std::int64_t>());
    if (patch.contains("rate_limit")) next.rate_limit = patch["rate_limit"].get<std::int64_t>();
    if (patch.contains("rate_limit_period_s")) {
      next.rate_limit_period =
          std::chrono::seconds(patch["rate_limit_period_s"].get<std::int64_t>());
    }
    if (patch.contains("failure_rate")) next.failure_rate = patch["failure_rate"].get<double>();
    if (patch.contains("seed")) next.seed = patch["seed"].get<std::uint64_t>();
    if (patch.contains("failure_kinds")) {
      next.failure_kinds = patch["failure_kinds"].get<std::vector<std::string>>();
    }
    if (patch.contains("timeout_delay_ms")) {
      next.timeout_delay = std::chrono::milliseconds(patch["timeout_delay_ms"].get<std::int64_t>());
    }
    if (patch.contains("fail_paths")) {
      next.fail_paths = patch["fail_paths"].get<std::vector<std::string>>();
    }
    if (patch.contains("fail_kind")) next.fail_kind = patch["fail_kind"].get<std::string>();
    if (patch.contains("profile")) {
      auto profiled = with_profile(next, patch["profile"].get<std::string>());
      if (!profiled) return tl::unexpected(profiled.error());
      next = std::move(*profiled);
    }
    if (patch.contains("rate_limit_headers_on_every_answer")) {
      next.rate_limit_headers_on_every_answer =
          patch["rate_limit_headers_on_every_answer"].get<bool>();
    }
    if (patch.contains("rate_limit_aligned")) {
      next.rate_limit_aligned = patch["rate_limit_aligned"].get<bool>();
    }
    if (patch.contains("endpoint_limits")) {
      next.endpoint_limits.clear();
      for (const auto& l : patch["endpoint_limits"]) {
        EndpointLimit limit{l.at("endpoint").get<std::string>(), l.at("limit").get<std::int64_t>(),
                            l.value("period_s", std::int64_t{60}), l.value("per_path", false)};
        if (limit.limit < 1 || limit.period_s < 1) {
          return make_error(ErrorCode::kInvalidArgument, "an endpoint limit is out of range");
        }
        next.endpoint_limits.push_back(std::move(limit));
      }
    }
    if (next.latency.count() < 0 || next.rate_limit < 0 || next.rate_limit_period.count() < 1 ||
        next.failure_rate < 0 || next.failure_rate > 1 || next.timeout_delay.count() < 0) {
      return make_error(ErrorCode::kInvalidArgument, "a fault value is out of range");
    }
    for (const auto& kind : next.failure_kinds) {
      if (kind != "500" && kind != "502" && kind != "timeout" && kind != "truncated") {
        return make_error(ErrorCode::kInvalidArgument, "unknown failure kind '" + kind + "'");
      }
    }
    if (next.fail_kind != "500" && next.fail_kind != "404" && next.fail_kind != "401" &&
        next.fail_kind != "403" && next.fail_kind != "malformed" &&
        next.fail_kind != "truncated_json") {
      return make_error(ErrorCode::kInvalidArgument, "unknown fail kind '" + next.fail_kind + "'");
    }
    if (next.failure_rate > 0 && next.failure_kinds.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "failure_kinds is empty");
    }
    c = std::move(next);
    return {};
  } catch (const nlohmann::json::exception&) {
    return make_error(ErrorCode::kInvalidArgument, "a fault value has the wrong type");
  }
}

bool path_matches(std::string_view pattern, std::string_view path) {
  // Classic glob with one kind of wildcard, iterative with backtracking to the last '*'.
  std::size_t p = 0, s = 0, star = std::string_view::npos, mark = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

FaultInjector::FaultInjector(FaultConfig config) : config_(std::move(config)), rng_(config_.seed) {}

FaultConfig FaultInjector::config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

void FaultInjector::set_config(FaultConfig config) {
  std::lock_guard lock(mutex_);
  config_ = std::move(config);
  rng_ = SplitMix64(config_.seed);
  window_ = {};
  past_windows_.clear();
  endpoint_windows_.clear();
  endpoint_throttled_.clear();
}

std::vector<RateWindow> FaultInjector::rate_windows() const {
  std::lock_guard lock(mutex_);
  std::vector<RateWindow> out = past_windows_;
  if (window_.observed > 0) out.push_back(window_);
  return out;
}

std::map<std::string, std::int64_t> FaultInjector::endpoint_throttled() const {
  std::lock_guard lock(mutex_);
  return endpoint_throttled_;
}

FaultInjector::Decision FaultInjector::before(std::string_view endpoint, std::string_view path,
                                              std::int64_t now) {
  std::lock_guard lock(mutex_);
  for (const auto& pattern : config_.fail_paths) {
    if (!path_matches(pattern, path)) continue;
    if (config_.fail_kind == "malformed") {
      return {json_answer(200, R"([{"id": 1, "name": "half a thought", <html>oops</html>)")};
    }
    if (config_.fail_kind == "truncated_json") return {std::nullopt, false, true};
    // A path this GitLab does not serve (a GitLab whose GraphQL API is not there).
    if (config_.fail_kind == "404") return {json_answer(404, R"({"error":"404 Not Found"})")};
    // A token this path refuses (GraphQL disabled for tokens, say; GitLab's API error bodies).
    if (config_.fail_kind == "401") return {json_answer(401, R"({"message":"401 Unauthorized"})")};
    if (config_.fail_kind == "403") return {json_answer(403, R"({"message":"403 Forbidden"})")};
    return {json_answer(500, R"({"message":"500 Internal Server Error"})")};
  }
  if (config_.rate_limit > 0) {
    const std::int64_t period = config_.rate_limit_period.count();
    if (now >= window_.start + period) {
      if (window_.observed > 0) {
        past_windows_.push_back(window_);
        if (past_windows_.size() > 1000) past_windows_.erase(past_windows_.begin());
      }
      window_ = {config_.rate_limit_aligned ? now - now % period : now, 0, 0};
    }
    ++window_.observed;
    if (window_.observed > config_.rate_limit) {
      ++window_.throttled;
      http::HttpResponse r;
      r.status = 429;
      r.content_type = "text/plain";
      r.body = "Retry later\n";
      add_rate_headers(r);
      r.headers.emplace_back("Retry-After",
                             std::to_string(std::max<std::int64_t>(
                                 1, window_.start + config_.rate_limit_period.count() - now)));
      return {r};
    }
  }
  for (const EndpointLimit& limit : config_.endpoint_limits) {
    if (limit.endpoint != endpoint) continue;
    // GitLab's application rate limiter: a counter per period (aligned), per user (the simulator
    // serves one token at a time) and, for some endpoints, per source.
    const std::string key =
        limit.per_path ? limit.endpoint + " " + std::string(path) : limit.endpoint;
    EndpointWindow& w = endpoint_windows_[key];
    const std::int64_t start = now - now % limit.period_s;
    if (w.start != start) w = {start, 0};
    if (++w.count > limit.limit) {
      ++endpoint_throttled_[limit.endpoint];
      http::HttpResponse r = json_answer(
          429,
          R"({"message":{"error":"This endpoint has been requested too many times. Try again later."}})");
      r.headers.emplace_back("Retry-After", std::to_string(limit.period_s));
      return {r};
    }
  }
  if (config_.failure_rate > 0 && rng_.unit() < config_.failure_rate) {
    const std::string& kind = config_.failure_kinds[rng_.below(config_.failure_kinds.size())];
    if (kind == "500") return {json_answer(500, R"({"message":"500 Internal Server Error"})")};
    if (kind == "502") {
      http::HttpResponse r;
      r.status = 502;
      r.content_type = "text/html";
      r.body = "<html><body><h1>502 Bad Gateway</h1>GitLab is not responding.</body></html>\n";
      return {r};
    }
    if (kind == "timeout") {
      http::HttpResponse r;
      r.status = 504;
      r.content_type = "text/html";
      r.body = "<html><body><h1>504 Gateway Time-out</h1></body></html>\n";
      r.delay = config_.timeout_delay;
      return {r};
    }
    return {std::nullopt, true};
  }
  return {};
}

void FaultInjector::after(http::HttpResponse& response, const Decision& decision) {
  std::lock_guard lock(mutex_);
  // An endpoint limit's 429 carries no RateLimit-* headers ("rate limiting responses for the
  // Projects, Groups, and Users APIs do not include informational headers").
  if (response.status != 429 && config_.rate_limit_headers_on_every_answer) {
    add_rate_headers(response);
  }
  response.delay = std::max(response.delay, config_.latency);
  if (decision.truncate && !response.body.empty()) {
    response.truncate_body_at = response.body.size() / 2;
  }
  if (decision.cut_json) response.body.resize(response.body.size() / 2);
}

void FaultInjector::add_rate_headers(http::HttpResponse& response) const {
  if (config_.rate_limit <= 0) return;
  const std::int64_t period = config_.rate_limit_period.count();
  const std::int64_t reset = window_.start + period;
  // GitLab normalises the quota to a minute.
  const std::int64_t per_minute = std::max<std::int64_t>(1, config_.rate_limit * 60 / period);
  auto& h = response.headers;
  h.emplace_back("RateLimit-Name", "throttle_authenticated_api");
  h.emplace_back("RateLimit-Limit", std::to_string(per_minute));
  h.emplace_back("RateLimit-Observed", std::to_string(window_.observed));
  h.emplace_back("RateLimit-Remaining",
                 std::to_string(std::max<std::int64_t>(0, config_.rate_limit - window_.observed)));
  h.emplace_back("RateLimit-Reset", std::to_string(reset));
  h.emplace_back("RateLimit-ResetTime", http_date(reset));
}

}  // namespace provisio::sim
