#include "auth/login_limiter.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/ip_address.hpp"

namespace provisio::auth {
namespace {

static_assert(crypto_shorthash_BYTES == 8 && crypto_shorthash_KEYBYTES == 16);

}  // namespace

LoginLimiter::LoginLimiter(const Clock& clock, LoginLimits limits)
    : clock_(clock), limits_(limits) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot fail to start on a supported system
  crypto_shorthash_keygen(hash_key_);
}

std::uint64_t LoginLimiter::key(std::string_view kind, std::string_view a,
                                std::string_view b) const {
  // Each part's length first, so that no two different (kind, a, b) give the same bytes.
  std::string bytes;
  for (const std::string_view part : {kind, a, b}) {
    bytes += std::to_string(part.size());
    bytes += ':';
    bytes.append(part);
  }
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                   hash_key_);
  std::uint64_t value = 0;
  for (const unsigned char byte : out) value = (value << 8) | byte;
  return value;
}

int LoginLimiter::count(const Table& table, std::uint64_t key, Millis now) const {
  const auto it = table.find(key);
  if (it == table.end() || it->second.last + limits_.window_ms <= now) return 0;
  return it->second.count;
}

Millis LoginLimiter::wait(const Table& table, std::uint64_t key, int free_failures,
                          Millis now) const {
  const int failures = count(table, key, now);
  if (failures < std::max(1, free_failures)) return 0;
  // The first failure over the allowance waits first_delay, each further one twice as long.
  const int doublings = std::min(failures - std::max(1, free_failures), 30);
  const Millis delay = std::min(limits_.max_delay_ms, limits_.first_delay_ms << doublings);
  const Millis until = table.at(key).last + delay;
  return until > now ? until - now : 0;
}

Millis LoginLimiter::retry_after(std::string_view account, std::string_view address) {
  const std::string where = limit_key(address);
  std::lock_guard lock(mutex_);
  const Millis now = clock_.now();
  const bool under_attack =
      count(accounts_, key("account", account), now) >= limits_.account_under_attack;
  const int pair_allowance = under_attack ? 1 : limits_.free_failures_per_pair;
  return std::max(wait(pairs_, key("pair", account, where), pair_allowance, now),
                  wait(addresses_, key("address", where), limits_.free_failures_per_address, now));
}

Status LoginLimiter::check(std::string_view account, std::string_view address) {
  const Millis wait = retry_after(account, address);
  if (wait == 0) return {};
  const Millis seconds = (wait + 999) / 1000;
  return make_error(ErrorCode::kRateLimited, "Too many failed logins. Try again in " +
                                                 std::to_string(seconds) + " seconds.");
}

void LoginLimiter::add(Table& table, std::uint64_t key, Millis now) {
  if (table.size() >= limits_.max_keys && table.find(key) == table.end()) {
    sweep(table, now);
    if (table.size() >= limits_.max_keys) {
      const auto oldest = std::min_element(
          table.begin(), table.end(),
          [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
      table.erase(oldest);
    }
  }
  Failures& f = table[key];
  if (f.last + limits_.window_ms <= now) f.count = 0;
  f.count = std::min(f.count + 1, 1'000'000);
  f.last = now;
}

void LoginLimiter::record_failure(std::string_view account, std::string_view address) {
  const std::string where = limit_key(address);
  std::lock_guard lock(mutex_);
  const Millis now = clock_.now();
  add(pairs_, key("pair", account, where), now);
  add(addresses_, key("address", where), now);
  add(accounts_, key("account", account), now);
}

void LoginLimiter::record_success(std::string_view account, std::string_view address) {
  const std::string where = limit_key(address);
  std::lock_guard lock(mutex_);
  pairs_.erase(key("pair", account, where));
}

void LoginLimiter::sweep(Table& table, Millis now) {
  for (auto it = table.begin(); it != table.end();) {
    it = it->second.last + limits_.window_ms <= now ? table.erase(it) : std::next(it);
  }
}

void LoginLimiter::sweep() {
  std::lock_guard lock(mutex_);
  const Millis now = clock_.now();
  sweep(pairs_, now);
  sweep(addresses_, now);
  sweep(accounts_, now);
}

std::size_t LoginLimiter::size() {
  std::lock_guard lock(mutex_);
  return pairs_.size() + addresses_.size() + accounts_.size();
}

}  // namespace provisio::auth
