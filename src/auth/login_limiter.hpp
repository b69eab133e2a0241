#pragma once
// Slows down password guessing (behaviour.md §4): failed logins are counted per account and per
// client address over a sliding window; past the limit, further attempts are refused at once with
// kRateLimited (HTTP 429 and Retry-After) until the oldest failure leaves the window, without
// checking the password. Refusing rather than sleeping keeps worker threads free and gives a
// guesser nothing to measure. A successful login clears the account's failures.
//
// In memory, per node: a few nodes multiply the allowance, which still bounds guessing. Memory
// stays bounded: keys whose failures left the window are swept.
//
// Thread-safe.

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"

namespace provisio::auth {

struct LoginLimits {
  int failures_per_account = 5;
  int failures_per_address = 20;
  Millis window_ms = Millis{15} * 60 * 1000;
  std::size_t max_keys = 100'000;  // beyond this the oldest key is forgotten first
};

class LoginLimiter {
 public:
  explicit LoginLimiter(const Clock& clock, LoginLimits limits = {});

  // kRateLimited, saying how long to wait, when the account or the address is over its limit.
  Status check(std::string_view account, std::string_view address);
  // Milliseconds until check() would pass again; 0 when it passes now.
  Millis retry_after(std::string_view account, std::string_view address);
  void record_failure(std::string_view account, std::string_view address);
  void record_success(std::string_view account);

 private:
  using Failures = std::map<std::string, std::deque<Millis>, std::less<>>;
  Millis wait_for(Failures& failures, std::string_view key, int limit, Millis now);
  void add(Failures& failures, std::string_view key, Millis now);

  const Clock& clock_;
  const LoginLimits limits_;
  std::mutex mutex_;
  Failures accounts_;
  Failures addresses_;
};

}  // namespace provisio::auth
