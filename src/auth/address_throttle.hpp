#pragma once
// At most `limit` requests per `window_ms` from one client address (an IPv6 client by its /64),
// for endpoints an anonymous caller can hit to make the server work or write: the GitLab login's
// start (a row per flow) and callback (a token exchange with GitLab). Counted in fixed windows;
// keys are kept as keyed 64-bit hashes, at most `max_keys` of them, and sweep() drops the windows
// that ended. In memory, per node. Thread-safe.

#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "core/time.hpp"

namespace provisio::auth {

class AddressThrottle {
 public:
  AddressThrottle(int limit, Millis window_ms, std::size_t max_keys = 100'000);

  // Counts a request; false when the address is over its limit in the current window.
  bool allow(std::string_view address, Millis now);
  void sweep(Millis now);
  std::size_t size();

 private:
  struct Window {
    Millis start = 0;
    int count = 0;
  };
  const int limit_;
  const Millis window_ms_;
  const std::size_t max_keys_;
  unsigned char hash_key_[16] = {};
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, Window> windows_;
};

}  // namespace provisio::auth
