#pragma once
// Time in the domain is milliseconds since the Unix epoch (UTC): one integer type that every
// database and JSON encoder stores the same way. The Clock seam lets the scheduler, the lease
// and token-expiry rules be tested without sleeping.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace provisio {

using Millis = std::int64_t;

// Thread-safe: implementations must be callable from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Millis now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that moves only when told to. For tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start) : now_(start) {}
  Millis now() const override { return now_.load(); }
  void advance(Millis by) { now_ += by; }
  void set(Millis at) { now_ = at; }

 private:
  std::atomic<Millis> now_;
};

}  // namespace provisio
