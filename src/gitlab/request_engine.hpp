#pragma once
// Runs GitLab requests: up to `concurrency` in flight over one transport, paced by the rate
// limiter, with retries (exponential backoff with full jitter) for 5xx, timeouts, broken
// connections and malformed bodies, and waits as told on 429. 4xx other than 429 are never
// retried. Every answer is parsed as JSON here, so a truncated body counts as a failed attempt.
//
// Threading: one thread. submit() may be called from a Done callback (pagination does).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.hpp"
#include "core/random.hpp"
#include "gitlab/errors.hpp"
#include "gitlab/http_transport.hpp"
#include "gitlab/pagination.hpp"
#include "gitlab/rate_limiter.hpp"
#include "metrics/registry.hpp"

namespace provisio::gitlab {

struct EngineOptions {
  int concurrency = 16;
  int max_attempts = 5;             // per request, for retryable failures
  int max_throttled_attempts = 30;  // 429 answers one request may get before giving up
  Millis backoff_base_ms = 200;
  Millis backoff_max_ms = 10'000;
  double rate_limit_share = 0.8;  // of the limit GitLab announces
  std::chrono::milliseconds request_timeout{30'000};
  // Where answers, retries and rate-limit waits are also reported (GET /metrics); not owned,
  // must outlive the engine. Null: only the engine's own Counters.
  metrics::Registry* metrics = nullptr;
};

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  nlohmann::json body;
  PageInfo page;
};

// What the engine did, for the task record and for metrics.
struct Counters {
  std::map<std::string, std::map<int, std::int64_t>> requests;  // endpoint -> status -> count
  std::int64_t retries = 0;
  std::int64_t throttled = 0;  // 429 answers
  Millis rate_limit_wait_ms = 0;
  std::int64_t bytes = 0;

  std::int64_t total_requests() const;
  std::int64_t requests_to(const std::string& endpoint) const;
};

class RequestEngine {
 public:
  using Done = std::function<void(Result<Reply>)>;

  RequestEngine(HttpTransport& transport, EngineOptions options, Random& random);

  // Queues a request. `endpoint` labels it in the counters ("/groups/:id/members");
  // `subject` names what it reads, for error messages. `done` runs exactly once.
  void submit(TransportRequest request, std::string endpoint, Subject subject, Done done);

  // Runs until nothing is queued or in flight.
  void run();

  // Drops every queued request (their Done gets kAborted); requests in flight still finish.
  void abort_queued();

  const Counters& counters() const { return counters_; }
  const EngineOptions& options() const { return options_; }

 private:
  struct Job {
    TransportRequest request;
    std::string endpoint;
    Subject subject;
    Done done;
    int attempts = 0;
    int throttled = 0;
    Millis not_before = 0;
  };

  void start(Job job);
  void on_answer(Job job, TransportResponse response);
  void retry_later(Job job, Millis at);
  Millis backoff(int attempt);

  HttpTransport& transport_;
  EngineOptions options_;
  Random& random_;
  RateLimiter limiter_;
  std::deque<Job> ready_;               // in submission order
  std::multimap<Millis, Job> delayed_;  // retries and throttled requests, by time
  Counters counters_;
};

}  // namespace provisio::gitlab
