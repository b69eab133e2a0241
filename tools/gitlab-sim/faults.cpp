#include "faults.hpp"

#include <algorithm>

#include "gitlab_errors.hpp"
#include "time_format.hpp"

namespace provisio::sim {

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
          {"rate_limit_headers_on_every_answer", c.rate_limit_headers_on_every_answer}};
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
    if (patch.contains("rate_limit_headers_on_every_answer")) {
      next.rate_limit_headers_on_every_answer =
          patch["rate_limit_headers_on_every_answer"].get<bool>();
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
    if (next.fail_kind != "500" && next.fail_kind != "malformed" &&
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
}

std::vector<RateWindow> FaultInjector::rate_windows() const {
  std::lock_guard lock(mutex_);
  std::vector<RateWindow> out = past_windows_;
  if (window_.observed > 0) out.push_back(window_);
  return out;
}

FaultInjector::Decision FaultInjector::before(std::string_view path, std::int64_t now) {
  std::lock_guard lock(mutex_);
  for (const auto& pattern : config_.fail_paths) {
    if (!path_matches(pattern, path)) continue;
    if (config_.fail_kind == "malformed") {
      return {json_answer(200, R"([{"id": 1, "name": "half a thought", <html>oops</html>)")};
    }
    if (config_.fail_kind == "truncated_json") return {std::nullopt, false, true};
    return {json_answer(500, R"({"message":"500 Internal Server Error"})")};
  }
  if (config_.rate_limit > 0) {
    if (now >= window_.start + config_.rate_limit_period.count()) {
      if (window_.observed > 0) {
        past_windows_.push_back(window_);
        if (past_windows_.size() > 1000) past_windows_.erase(past_windows_.begin());
      }
      window_ = {now, 0, 0};
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
