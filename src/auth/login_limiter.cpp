#include "auth/login_limiter.hpp"

#include <algorithm>

namespace provisio::auth {

LoginLimiter::LoginLimiter(const Clock& clock, LoginLimits limits)
    : clock_(clock), limits_(limits) {}

Millis LoginLimiter::wait_for(Failures& failures, std::string_view key, int limit, Millis now) {
  const auto it = failures.find(key);
  if (it == failures.end()) return 0;
  std::deque<Millis>& times = it->second;
  while (!times.empty() && times.front() + limits_.window_ms <= now) times.pop_front();
  if (times.empty()) {
    failures.erase(it);
    return 0;
  }
  if (static_cast<int>(times.size()) < limit) return 0;
  // The oldest failure that keeps the count at the limit must leave the window.
  const Millis frees_at = times[times.size() - static_cast<std::size_t>(limit)] + limits_.window_ms;
  return std::max<Millis>(1, frees_at - now);
}

void LoginLimiter::add(Failures& failures, std::string_view key, Millis now) {
  if (failures.size() >= limits_.max_keys && failures.find(key) == failures.end()) {
    // Sweep what has expired; if that is not enough, forget the key with the oldest failure.
    for (auto it = failures.begin(); it != failures.end();) {
      it = it->second.empty() || it->second.back() + limits_.window_ms <= now ? failures.erase(it)
                                                                              : std::next(it);
    }
    if (failures.size() >= limits_.max_keys) {
      const auto oldest = std::min_element(
          failures.begin(), failures.end(),
          [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
      failures.erase(oldest);
    }
  }
  std::deque<Millis>& times = failures[std::string(key)];
  times.push_back(now);
  // Only the last `limit`-many failures matter; keep a bounded history per key.
  const auto keep = static_cast<std::size_t>(
      std::max(limits_.failures_per_account, limits_.failures_per_address));
  while (times.size() > keep) times.pop_front();
}

Millis LoginLimiter::retry_after(std::string_view account, std::string_view address) {
  std::lock_guard lock(mutex_);
  const Millis now = clock_.now();
  return std::max(wait_for(accounts_, account, limits_.failures_per_account, now),
                  wait_for(addresses_, address, limits_.failures_per_address, now));
}

Status LoginLimiter::check(std::string_view account, std::string_view address) {
  const Millis wait = retry_after(account, address);
  if (wait == 0) return {};
  const Millis seconds = (wait + 999) / 1000;
  return make_error(ErrorCode::kRateLimited, "Too many failed logins. Try again in " +
                                                 std::to_string(seconds) + " seconds.");
}

void LoginLimiter::record_failure(std::string_view account, std::string_view address) {
  std::lock_guard lock(mutex_);
  const Millis now = clock_.now();
  add(accounts_, account, now);
  add(addresses_, address, now);
}

void LoginLimiter::record_success(std::string_view account) {
  std::lock_guard lock(mutex_);
  const auto it = accounts_.find(account);
  if (it != accounts_.end()) accounts_.erase(it);
}

}  // namespace provisio::auth
