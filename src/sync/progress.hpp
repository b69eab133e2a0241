#pragma once
// The progress of one running sync: the snapshot reader and the sync service say which phase it
// is in, a counting transport counts the GitLab pages answered, and a reporter writes a summary
// to the task's row about once a second (store.set_task_progress), where the status, the API
// and the page of every node read it.
//
// Threading: SyncProgress is written by the sync thread and read by the reporter's thread
// (atomics only). CountingTransport is used like the transport it wraps (one thread).

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/task.hpp"
#include "core/time.hpp"
#include "gitlab/http_transport.hpp"
#include "store/store.hpp"

namespace provisio::sync {

class SyncProgress {
 public:
  // `phase` must be a string literal (or live as long as this object): only the pointer is kept.
  void set_phase(const char* phase) { phase_.store(phase, std::memory_order_relaxed); }
  void page_read() { pages_.fetch_add(1, std::memory_order_relaxed); }

  // The progress to show `elapsed` after the start, with an ETA while pages are being read and
  // `pages_expected` (the last successful run's count) is known.
  TaskProgress read(Millis elapsed, std::optional<std::int64_t> pages_expected) const;

 private:
  std::atomic<const char*> phase_{"starting"};
  std::atomic<std::int64_t> pages_{0};
};

// An HttpTransport that counts each answered request as a page read, then passes it on.
class CountingTransport final : public gitlab::HttpTransport {
 public:
  CountingTransport(gitlab::HttpTransport& inner, SyncProgress& progress)
      : inner_(inner), progress_(progress) {}
  void start(gitlab::TransportRequest request, Callback done) override;
  void wait(Millis deadline) override { inner_.wait(deadline); }
  std::size_t in_flight() const override { return inner_.in_flight(); }
  const Clock& clock() const override { return inner_.clock(); }

 private:
  gitlab::HttpTransport& inner_;
  SyncProgress& progress_;
};

// Writes the progress of task `id` to the store every `period` while it lives, when it changed.
// A failed write is ignored: progress is a courtesy, the run's outcome does not depend on it.
class ProgressReporter {
 public:
  ProgressReporter(store::Store& store, const Clock& clock, const SyncProgress& progress, TaskId id,
                   std::string node_id, std::optional<std::int64_t> pages_expected, Millis period);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void loop();

  store::Store& store_;
  const Clock& clock_;
  const SyncProgress& progress_;
  TaskId id_;
  std::string node_id_;
  std::optional<std::int64_t> pages_expected_;
  Millis period_;
  Millis started_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread thread_;  // last: starts once every other member is ready
};

}  // namespace provisio::sync
