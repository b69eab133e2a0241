#include "auth/address_throttle.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/ip_address.hpp"

namespace provisio::auth {

AddressThrottle::AddressThrottle(int limit, Millis window_ms, std::size_t max_keys)
    : limit_(limit), window_ms_(window_ms), max_keys_(max_keys) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot fail to start on a supported system
  crypto_shorthash_keygen(hash_key_);
}

bool AddressThrottle::allow(std::string_view address, Millis now) {
  const std::string key_text = limit_key(address);
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(key_text.data()), key_text.size(),
                   hash_key_);
  std::uint64_t key = 0;
  for (const unsigned char byte : out) key = (key << 8) | byte;

  std::lock_guard lock(mutex_);
  auto it = windows_.find(key);
  if (it == windows_.end()) {
    if (windows_.size() >= max_keys_) {
      for (auto w = windows_.begin(); w != windows_.end();) {
        w = w->second.start + window_ms_ <= now ? windows_.erase(w) : std::next(w);
      }
      if (windows_.size() >= max_keys_) {
        windows_.erase(std::min_element(
            windows_.begin(), windows_.end(),
            [](const auto& a, const auto& b) { return a.second.start < b.second.start; }));
      }
    }
    it = windows_.emplace(key, Window{now, 0}).first;
  }
  Window& w = it->second;
  if (w.start + window_ms_ <= now) w = Window{now, 0};
  if (w.count >= limit_) return false;
  ++w.count;
  return true;
}

void AddressThrottle::sweep(Millis now) {
  std::lock_guard lock(mutex_);
  for (auto w = windows_.begin(); w != windows_.end();) {
    w = w->second.start + window_ms_ <= now ? windows_.erase(w) : std::next(w);
  }
}

std::size_t AddressThrottle::size() {
  std::lock_guard lock(mutex_);
  return windows_.size();
}

}  // namespace provisio::auth
