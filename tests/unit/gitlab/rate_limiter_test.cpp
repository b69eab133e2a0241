#include "gitlab/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace provisio::gitlab {
namespace {

TransportResponse with(std::map<std::string, std::string> headers, int status = 200) {
  TransportResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

TEST(RateLimiter, DoesNotPaceBeforeItKnowsTheLimit) {
  RateLimiter limiter;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(limiter.next_start(1'000), 1'000);
    limiter.on_start(1'000);
  }
}

TEST(RateLimiter, KeepsToItsShareOfTheAnnouncedLimit) {
  RateLimiter limiter(0.5);
  limiter.observe(with({{"ratelimit-limit", "120"}}), 0);  // 2/s announced, 1/s for us
  Millis now = 0;
  int started = 0;
  while (now < 60'000) {
    const Millis at = limiter.next_start(now);
    now = at;
    limiter.on_start(now);
    ++started;
  }
  EXPECT_LE(started, 62);  // 60 s at 1/s, plus the small initial burst
  EXPECT_GE(started, 58);
}

// GitLab.com's 2,000 a minute, in windows aligned on the minute (Rack::Attack's), with what is
// left of the window on every answer: the rest of 80% of the window at once, then nothing
// until the window resets, where a bucket at 80% of the limit would start 27 a second.
std::map<std::string, std::string> window(int observed, int remaining, Millis reset_s) {
  return {{"ratelimit-limit", "2000"},
          {"ratelimit-observed", std::to_string(observed)},
          {"ratelimit-remaining", std::to_string(remaining)},
          {"ratelimit-reset", std::to_string(reset_s)}};
}

TEST(RateLimiter, SpendsWhatIsLeftOfTheWindowDownToItsReserveAtOnce) {
  RateLimiter limiter;  // a share of 0.8: 400 of the 2,000 are the reserve
  limiter.observe(with(window(100, 1'900, 60)), 1'000);
  int started = 0;
  while (limiter.next_start(1'000) == 1'000) {
    limiter.on_start(1'000);
    ++started;
  }
  EXPECT_EQ(started, 1'500);
  // The reserve is kept until the window resets at 60 s; then the bucket's first token (and
  // the next answer says what the new window holds).
  EXPECT_GE(limiter.next_start(1'000), 60'000);
  EXPECT_LT(limiter.next_start(1'000), 61'000);
}

TEST(RateLimiter, WaitsForTheNextWindowOnceOnlyTheReserveIsLeft) {
  RateLimiter limiter;
  limiter.observe(with(window(1'650, 350, 60)), 30'000);
  EXPECT_EQ(limiter.next_start(30'000), 60'000);
  // A window that has already ended says nothing about the next one.
  limiter.observe(with(window(1'990, 10, 60)), 61'000);
  EXPECT_LT(limiter.next_start(61'000), 62'000);
}

// Found by a reviewer's read: a 429 (an endpoint's own limit) in a granted window of an hour
// held everything back until the hour ended, not for the minute GitLab asked.
TEST(RateLimiter, A429InAGrantedWindowHoldsBackOnlyAsLongAsGitlabAsks) {
  RateLimiter limiter;
  limiter.observe(with(window(100, 1'900, 3'600)), 1'000);  // a window of an hour
  EXPECT_EQ(limiter.on_throttled(with({{"retry-after", "60"}}, 429), 2'000), 62'000);
  EXPECT_LT(limiter.next_start(62'000), 63'000);
  // The next answer of the same window grants what is left of it again.
  limiter.observe(with(window(500, 1'500, 3'600)), 62'100);
  EXPECT_EQ(limiter.next_start(62'100), 62'100);
}

// Found by a reviewer's read: with the client's clock behind GitLab's, a late answer of the
// window before cut the new window's grant to what the old one had left.
TEST(RateLimiter, ALateAnswerOfTheWindowBeforeDoesNotCutTheNewGrant) {
  RateLimiter limiter;
  limiter.observe(with(window(0, 2'000, 120)), 59'000);   // GitLab is already at 61 s
  limiter.observe(with(window(1'590, 410, 60)), 59'500);  // answered in the window before
  int started = 0;
  while (limiter.next_start(59'500) == 59'500 && started < 2'000) {
    limiter.on_start(59'500);
    ++started;
  }
  EXPECT_EQ(started, 1'600);
}

// A small limit: the reserve holds at least the requests that may be on their way (16).
TEST(RateLimiter, TheReserveCoversTheRequestsOnTheirWay) {
  RateLimiter limiter;
  limiter.observe(with({{"ratelimit-limit", "60"},
                        {"ratelimit-observed", "0"},
                        {"ratelimit-remaining", "60"},
                        {"ratelimit-reset", "60"}}),
                  1'000);
  int started = 0;
  while (limiter.next_start(1'000) == 1'000 && started < 100) {
    limiter.on_start(1'000);
    ++started;
  }
  EXPECT_EQ(started, 44);  // 60 - 16, not 60 - 12
}

TEST(RateLimiter, A429PausesEverythingForRetryAfter) {
  RateLimiter limiter;
  const Millis until = limiter.on_throttled(with({{"retry-after", "30"}}, 429), 5'000);
  EXPECT_EQ(until, 35'000);
  EXPECT_GE(limiter.next_start(6'000), 35'000);
}

TEST(RateLimiter, A429WithoutRetryAfterUsesTheResetTime) {
  RateLimiter limiter;
  EXPECT_EQ(limiter.on_throttled(with({{"ratelimit-reset", "100"}}, 429), 5'000), 100'000);
}

// Found by fuzz/gitlab_headers_fuzz.cpp: numbers that overflow once in milliseconds (undefined
// behaviour) or in an int are ignored, as if the header were absent.
TEST(RateLimiter, IgnoresHeaderNumbersTooLargeToBeTimesOrLimits) {
  RateLimiter limiter;
  limiter.observe(with({{"ratelimit-limit", "4294967296"},
                        {"ratelimit-remaining", "0"},
                        {"ratelimit-reset", "160984441609844400"}}),
                  5'000);
  EXPECT_FALSE(limiter.observed_limit_per_minute().has_value());
  EXPECT_EQ(limiter.next_start(5'000), 5'000);
  EXPECT_EQ(limiter.on_throttled(with({{"retry-after", "9223372036854775807"}}, 429), 5'000),
            6'000);  // the one-second pause of a 429 that names no time
}

}  // namespace
}  // namespace provisio::gitlab
