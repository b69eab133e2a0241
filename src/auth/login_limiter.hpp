#pragma once
// Slows down password guessing (behaviour.md §4) without handing a guesser a switch that locks
// the real user out. Failed logins are counted per address guessing one account (the pair), per
// address, and per account. Past a few free failures a pair or an address must wait before its
// next attempt, the wait doubling with each further failure (1 s, 2 s, 4 s, ... up to 15 min);
// attempts during the wait are refused at once with kRateLimited (HTTP 429 and Retry-After)
// without checking the password, which keeps worker threads free and gives a guesser nothing to
// measure. The account's own count never blocks anyone: it only marks the account as under attack
// (many failures from anywhere), and then an address must wait after its first failure on it
// instead of after a few. So a correct password from an address that is not failing always gets
// through, whatever others try against the account.
//
// Addresses are the client's (behind a proxy, as the trusted proxies setting resolves them), an
// IPv6 address by its /64. Keys are kept as keyed 64-bit hashes (SipHash with a random key per
// process), never the names themselves; login names over 255 bytes never get here
// (Authenticator refuses them). A key is forgotten after `window_ms` without a new failure:
// sweep() drops those (the server calls it on a timer), and each table holds at most `max_keys`
// (the key with the oldest failure goes first).
//
// In memory, per node: a few nodes multiply the allowance, which still bounds guessing.
// Thread-safe.

#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "core/time.hpp"

namespace provisio::auth {

struct LoginLimits {
  int free_failures_per_pair = 5;      // one address guessing one account
  int free_failures_per_address = 20;  // one address guessing many accounts
  int account_under_attack = 10;       // failures on one account from anywhere
  Millis first_delay_ms = 1000;
  Millis max_delay_ms = Millis{15} * 60 * 1000;
  Millis window_ms = Millis{15} * 60 * 1000;  // quiet time after which a key is forgotten
  std::size_t max_keys = 100'000;             // per table
};

class LoginLimiter {
 public:
  explicit LoginLimiter(const Clock& clock, LoginLimits limits = {});

  // kRateLimited, saying how long to wait, while the address must wait before its next attempt
  // on this account (or on any account).
  Status check(std::string_view account, std::string_view address);
  // Milliseconds until check() would pass; 0 when it passes now.
  Millis retry_after(std::string_view account, std::string_view address);
  void record_failure(std::string_view account, std::string_view address);
  // Forgets the address's failures on the account (the failures of others stay).
  void record_success(std::string_view account, std::string_view address);
  // Drops the keys whose last failure left the window.
  void sweep();
  // The keys held, in all three tables.
  std::size_t size();

 private:
  struct Failures {
    int count = 0;
    Millis last = 0;
  };
  using Table = std::unordered_map<std::uint64_t, Failures>;

  std::uint64_t key(std::string_view kind, std::string_view a, std::string_view b = {}) const;
  int count(const Table& table, std::uint64_t key, Millis now) const;
  Millis wait(const Table& table, std::uint64_t key, int free_failures, Millis now) const;
  void add(Table& table, std::uint64_t key, Millis now);
  void sweep(Table& table, Millis now);

  const Clock& clock_;
  const LoginLimits limits_;
  unsigned char hash_key_[16] = {};
  std::mutex mutex_;
  Table pairs_;
  Table addresses_;
  Table accounts_;
};

}  // namespace provisio::auth
