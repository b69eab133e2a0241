#include "gitlab/request_engine.hpp"

#include <algorithm>
#include <limits>

namespace provisio::gitlab {
namespace {

std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace

std::int64_t Counters::total_requests() const {
  std::int64_t total = 0;
  for (const auto& [endpoint, by_status] : requests) {
    for (const auto& [status, n] : by_status) total += n;
  }
  return total;
}

std::int64_t Counters::requests_to(const std::string& endpoint) const {
  std::int64_t total = 0;
  if (const auto it = requests.find(endpoint); it != requests.end()) {
    for (const auto& [status, n] : it->second) total += n;
  }
  return total;
}

RequestEngine::RequestEngine(HttpTransport& transport, EngineOptions options, Random& random)
    : transport_(transport),
      options_(options),
      random_(random),
      limiter_(options.rate_limit_share) {
  options_.concurrency = std::max(1, options_.concurrency);
  options_.max_attempts = std::max(1, options_.max_attempts);
}

void RequestEngine::submit(TransportRequest request, std::string endpoint, Subject subject,
                           Done done) {
  request.timeout = options_.request_timeout;
  ready_.push_back(
      Job{std::move(request), std::move(endpoint), std::move(subject), std::move(done)});
}

void RequestEngine::abort_queued() {
  std::deque<Job> dropped;
  dropped.swap(ready_);
  for (auto& [at, job] : delayed_) dropped.push_back(std::move(job));
  delayed_.clear();
  for (Job& job : dropped) {
    job.done(make_error(ErrorCode::kAborted, "Stopped before reading " + job.subject.description));
  }
}

Millis RequestEngine::backoff(int attempt) {
  // Full jitter: uniform in [0, min(max, base * 2^attempt)].
  const int shift = std::min(attempt, 20);
  const Millis ceiling = std::min(options_.backoff_max_ms, options_.backoff_base_ms << shift);
  return static_cast<Millis>(random_.below(static_cast<std::uint64_t>(ceiling) + 1));
}

void RequestEngine::run() {
  const Clock& clock = transport_.clock();
  while (!ready_.empty() || !delayed_.empty() || transport_.in_flight() > 0) {
    Millis now = clock.now();
    // Retries whose time has come go before new requests.
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      ready_.push_front(std::move(delayed_.begin()->second));
      delayed_.erase(delayed_.begin());
    }
    Millis wake = std::numeric_limits<Millis>::max();
    bool held_by_limit = false;
    while (!ready_.empty() &&
           transport_.in_flight() < static_cast<std::size_t>(options_.concurrency)) {
      const Millis at = limiter_.next_start(now);
      if (at > now) {
        wake = at;
        held_by_limit = true;
        break;
      }
      limiter_.on_start(now);
      Job job = std::move(ready_.front());
      ready_.pop_front();
      start(std::move(job));
    }
    if (!delayed_.empty()) wake = std::min(wake, delayed_.begin()->first);
    if (transport_.in_flight() == 0 && wake == std::numeric_limits<Millis>::max()) {
      if (ready_.empty() && delayed_.empty()) break;
      continue;  // something became ready while starting; go round again
    }
    const Millis before = clock.now();
    transport_.wait(wake);
    if (held_by_limit || (!delayed_.empty() && transport_.in_flight() == 0)) {
      const Millis waited = std::max<Millis>(0, clock.now() - before);
      counters_.rate_limit_wait_ms += waited;
      if (options_.metrics != nullptr) {
        options_.metrics->gitlab_rate_limit_wait(static_cast<double>(waited) / 1000.0);
      }
    }
  }
}

void RequestEngine::start(Job job) {
  ++job.attempts;
  TransportRequest request = job.request;
  transport_.start(std::move(request), [this, job = std::move(job)](TransportResponse r) mutable {
    on_answer(std::move(job), std::move(r));
  });
}

void RequestEngine::retry_later(Job job, Millis at) {
  job.not_before = at;
  delayed_.emplace(at, std::move(job));
}

void RequestEngine::on_answer(Job job, TransportResponse response) {
  const Millis now = transport_.clock().now();
  counters_.requests[job.endpoint][response.status] += 1;
  if (options_.metrics != nullptr) options_.metrics->gitlab_request(job.endpoint, response.status);
  counters_.bytes += static_cast<std::int64_t>(response.body.size());
  limiter_.observe(response, now);
  const std::string url = without_query(job.request.url);

  if (response.failure == TransportFailure::kNone && response.status == 429) {
    ++counters_.throttled;
    if (++job.throttled > options_.max_throttled_attempts) {
      job.done(tl::unexpected(classify_failure(response, url, job.subject)));
      return;
    }
    --job.attempts;  // a 429 is not a failed attempt: GitLab asked us to wait
    if (options_.metrics != nullptr) options_.metrics->gitlab_retry(job.endpoint);
    retry_later(std::move(job), limiter_.on_throttled(response, now));
    return;
  }
  if (is_retryable(response)) {
    if (job.attempts < options_.max_attempts) {
      ++counters_.retries;
      if (options_.metrics != nullptr) options_.metrics->gitlab_retry(job.endpoint);
      const Millis delay = backoff(job.attempts);
      retry_later(std::move(job), now + delay);
      return;
    }
    Error e = classify_failure(response, url, job.subject);
    e.message += " Gave up after " + std::to_string(job.attempts) + " attempts.";
    job.done(tl::unexpected(std::move(e)));
    return;
  }
  if (response.failure != TransportFailure::kNone || response.status < 200 ||
      response.status >= 300) {
    job.done(tl::unexpected(classify_failure(response, url, job.subject)));
    return;
  }
  Reply reply;
  reply.body = nlohmann::json::parse(response.body, nullptr, false);
  if (reply.body.is_discarded()) {
    // Truncated or garbled: worth another try, then an error that says what came back.
    if (job.attempts < options_.max_attempts) {
      ++counters_.retries;
      if (options_.metrics != nullptr) options_.metrics->gitlab_retry(job.endpoint);
      const Millis delay = backoff(job.attempts);
      retry_later(std::move(job), now + delay);
      return;
    }
    job.done(
        make_error(ErrorCode::kInvalidResponse, "GitLab's answer for " + job.subject.description +
                                                    " (" + url + ") is not valid JSON, after " +
                                                    std::to_string(job.attempts) + " attempts."));
    return;
  }
  reply.status = response.status;
  reply.page = page_info(response);
  reply.headers = std::move(response.headers);
  job.done(std::move(reply));
}

}  // namespace provisio::gitlab
