#include "gitlab/rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace provisio::gitlab {
namespace {

// Larger header numbers are nonsense (a Unix time past the year 30,000, a wait of 30,000 years,
// a limit above what an int holds) and would overflow once turned into milliseconds: ignored, as
// if the header were absent (found by fuzz/gitlab_headers_fuzz.cpp).
constexpr Millis kLargestNumber = 1'000'000'000'000;

std::optional<Millis> number(const std::string& s) {
  Millis v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (v > kLargestNumber || v < -kLargestNumber) return std::nullopt;
  return v;
}

// Requests that may be on their way while an answer is read (the engine's concurrency): kept in
// reserve at least, since the window's count may already hold them and the answer does not.
constexpr double kOnTheirWay = 16;

// A RateLimit-Reset further away is nonsense (GitLab's windows are a minute, an hour at most).
constexpr Millis kLongestWindowMs = 24LL * 3'600'000;

// Requests per millisecond that the bucket refills at.
double rate(int limit_per_minute, double share) { return share * limit_per_minute / 60'000.0; }

}  // namespace

void RateLimiter::refill(Millis now) {
  if (!limit_) return;
  const double r = rate(*limit_, share_);
  // A bucket of one second's worth: short bursts, never a minute's quota at once.
  const double capacity = std::max(1.0, r * 1'000.0);
  // Before a granted window's reset (refilled_at_, see observe) nothing comes in; after it what
  // is left of the grant is cut back to a second's worth.
  if (now > refilled_at_) tokens_ = std::min(capacity, tokens_ + (now - refilled_at_) * r);
  refilled_at_ = std::max(refilled_at_, now);
}

void RateLimiter::observe(const TransportResponse& response, Millis now) {
  const auto limit = number(response.header("ratelimit-limit"));
  if (limit && *limit > 0 && *limit <= std::numeric_limits<int>::max()) {
    if (!limit_) {
      tokens_ = 1.0;
      refilled_at_ = now;
    }
    refill(now);
    limit_ = static_cast<int>(*limit);
  }
  const auto remaining = number(response.header("ratelimit-remaining"));
  const auto reset = number(response.header("ratelimit-reset"));  // Unix seconds
  if (!remaining || !reset) return;
  if (*remaining <= 0) {
    paused_until_ = std::max<Millis>(paused_until_, *reset * 1'000);
    return;
  }
  // A window that has ended, or that ended before the one we were granted (an answer that took
  // long), says nothing about the window now.
  if (!limit_ || *reset * 1'000 <= now || *reset * 1'000 < refilled_at_ ||
      *reset * 1'000 > now + kLongestWindowMs) {
    return;
  }
  // GitLab counts in fixed windows and says what is left of this one: spend it down to our
  // reserve at once, rather than a share of the limit spread evenly, then wait for the next
  // window. The reserve, the rest of the share of the window's quota (Observed + Remaining, or
  // the per-minute limit), is left to other clients of the same user, and covers the requests
  // already on their way, which this answer did not count yet.
  const auto observed = number(response.header("ratelimit-observed"));
  const double quota = observed && *observed >= 0 ? static_cast<double>(*observed + *remaining)
                                                  : static_cast<double>(*limit_);
  const double spendable =
      static_cast<double>(*remaining) - std::max((1.0 - share_) * quota, kOnTheirWay);
  if (spendable >= 1.0) {
    // The first answer of a window grants it; later ones can only take back (what we started
    // since is already counted in our tokens, not yet in their Remaining).
    const bool new_window = *reset * 1'000 > refilled_at_;
    tokens_ = new_window ? spendable : std::min(tokens_, spendable);
    // Nothing more comes in before the window resets; the next window's answers say again.
    refilled_at_ = std::max(refilled_at_, *reset * 1'000);
  } else {
    paused_until_ = std::max<Millis>(paused_until_, *reset * 1'000);
  }
}

Millis RateLimiter::on_throttled(const TransportResponse& response, Millis now) {
  Millis until = now + 1'000;
  if (const auto retry_after = number(response.header("retry-after")); retry_after) {
    until = now + std::max<Millis>(0, *retry_after) * 1'000;
  } else if (const auto reset = number(response.header("ratelimit-reset")); reset) {
    until = std::max<Millis>(now, *reset * 1'000);
  }
  paused_until_ = std::max(paused_until_, until);
  observe(response, now);
  tokens_ = 0;  // start again slowly after the pause, until an answer grants its window again
  refilled_at_ = paused_until_;
  return paused_until_;
}

Millis RateLimiter::next_start(Millis now) {
  Millis at = std::max(now, paused_until_);
  if (!limit_) return at;
  refill(at);
  if (tokens_ >= 1.0) return at;
  const double missing = 1.0 - tokens_;
  // The bucket fills from refilled_at_ on: the reset of a window already spent down.
  return std::max(at, refilled_at_) + static_cast<Millis>(missing / rate(*limit_, share_)) + 1;
}

void RateLimiter::on_start(Millis now) {
  if (!limit_) return;
  refill(now);
  tokens_ -= 1.0;
}

}  // namespace provisio::gitlab
