#pragma once
// The background side of a server node: at start and then every second it queues the hourly
// full sync when one is due, then claims the next task (from this node or any other) and runs it.
// Only one sync runs at a time across all nodes: the store's task lease decides.
//
// Threading: start() launches one thread; stop() asks it to finish after the task it is running
// and joins it.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "sync/sync_service.hpp"

namespace provisio::sync {

inline constexpr Millis kSyncInterval = Millis{60} * 60 * 1000;  // an hour after the previous run ended

// Queues a full sync when automatic provisioning is on, none is pending or running, and the last
// one ended at least an hour ago (or never ran). Returns the task queued, if any.
Result<std::optional<Task>> queue_if_due(store::Store& store, Millis now);

class Worker {
 public:
  Worker(store::Store& store, SyncService& service, const Clock& clock,
         std::chrono::milliseconds tick = std::chrono::milliseconds(1000));
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  void stop();
  // Claims and runs the next task now rather than at the next tick: an event sync was queued.
  // Events that arrive while a run is going on wait for it and coalesce into the next.
  void wake();
  // How many times it has looked for work (queued what was due and claimed what was claimable)
  // since start(): tests wait for a look that began after they changed something, never for time.
  std::uint64_t rounds() const { return rounds_.load(); }

 private:
  void loop();

  store::Store& store_;
  SyncService& service_;
  const Clock& clock_;
  std::chrono::milliseconds tick_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::atomic<std::uint64_t> rounds_{0};
  std::thread thread_;
};

}  // namespace provisio::sync
