#include "sync/progress.hpp"

#include <chrono>
#include <string_view>

namespace provisio::sync {

TaskProgress SyncProgress::read(Millis elapsed, std::optional<std::int64_t> pages_expected) const {
  TaskProgress p;
  p.phase = phase_.load(std::memory_order_relaxed);
  p.pages_read = pages_.load(std::memory_order_relaxed);
  p.pages_expected = pages_expected;
  // Reading GitLab is most of a sync's time; past it, the pace of pages says nothing.
  if (std::string_view(p.phase).rfind("reading GitLab", 0) == 0) {
    p.eta_ms = estimate_time_left(elapsed, p.pages_read, pages_expected);
  }
  return p;
}

void CountingTransport::start(gitlab::TransportRequest request, Callback done) {
  inner_.start(std::move(request), [this, done = std::move(done)](gitlab::TransportResponse r) {
    progress_.page_read();
    done(std::move(r));
  });
}

ProgressReporter::ProgressReporter(store::Store& store, const Clock& clock,
                                   const SyncProgress& progress, TaskId id, std::string node_id,
                                   std::optional<std::int64_t> pages_expected, Millis period)
    : store_(store),
      clock_(clock),
      progress_(progress),
      id_(id),
      node_id_(std::move(node_id)),
      pages_expected_(pages_expected),
      period_(period),
      started_(clock.now()),
      thread_([this] { loop(); }) {}

ProgressReporter::~ProgressReporter() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ProgressReporter::loop() {
  std::optional<TaskProgress> written;
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(period_), [this] { return stopped_; })) {
    TaskProgress now = progress_.read(clock_.now() - started_, pages_expected_);
    if (written && *written == now) continue;
    if (store_.set_task_progress(id_, node_id_, now)) written = std::move(now);
  }
}

}  // namespace provisio::sync
