#pragma once
// Pacing against GitLab's rate limits (CONTRACT.md §2). GitLab tells its limit in the
// RateLimit-* headers (per minute) and answers 429 with Retry-After when it is exceeded. Told what
// is left of the window (Remaining, Reset), we spend it down to a reserve, then wait for the next
// window; told only the limit, we keep a token bucket at a share of it. We hold back when nothing
// remains, and pause every request after a 429 until the time GitLab names. Pure (time as args).

#include <optional>

#include "core/time.hpp"
#include "gitlab/http_transport.hpp"

namespace provisio::gitlab {

class RateLimiter {
 public:
  // share: the fraction of the observed limit we allow ourselves (0 < share <= 1).
  explicit RateLimiter(double share = 0.8) : share_(share) {}

  // Learns from the headers of an answer received at `now`.
  void observe(const TransportResponse& response, Millis now);

  // A 429 at `now`: nothing starts before the time Retry-After (or RateLimit-Reset) names, or
  // one second when the answer names none. Returns that time.
  Millis on_throttled(const TransportResponse& response, Millis now);

  // The earliest time the next request may start (now when it may start at once).
  Millis next_start(Millis now);

  // A request starts at `now` (REQUIRES: next_start(now) <= now): takes its token.
  void on_start(Millis now);

  std::optional<int> observed_limit_per_minute() const { return limit_; }

 private:
  void refill(Millis now);

  double share_;
  std::optional<int> limit_;  // requests per minute, as GitLab last said
  double tokens_ = 0;         // of the bucket; meaningful once limit_ is known
  Millis refilled_at_ = 0;
  Millis paused_until_ = 0;  // after a 429, or while RateLimit-Remaining is 0
};

}  // namespace provisio::gitlab
