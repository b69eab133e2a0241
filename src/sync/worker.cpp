#include "sync/worker.hpp"

#include <spdlog/spdlog.h>

namespace provisio::sync {

Result<std::optional<Task>> queue_if_due(store::Store& store, Millis now) {
  auto config = store.load_gitlab_config();
  if (!config) return tl::unexpected(config.error());
  if (!*config || !(*config)->enabled ||
      (*config)->provisioning_type != ProvisioningType::kAutoProvisioning) {
    return std::optional<Task>();
  }
  store::TaskQuery last;
  last.type = TaskType::kGitlabAuthProvisioning;
  last.page_size = 1;
  auto recent = store.list_tasks(last);
  if (!recent) return tl::unexpected(recent.error());
  if (!recent->items.empty()) {
    const Task& t = recent->items.front();
    if (t.status == TaskStatus::kPending || t.status == TaskStatus::kInProgress) {
      return std::optional<Task>();
    }
    if (t.finished_at && *t.finished_at + kSyncInterval > now) return std::optional<Task>();
  }
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = "scheduler";
  t.submitted_at = now;
  auto queued = store.enqueue_task(t, /*only_if_idle=*/true);
  if (!queued) {
    if (queued.error().code == ErrorCode::kAlreadyExists) return std::optional<Task>();
    return tl::unexpected(queued.error());
  }
  return std::optional<Task>(*queued);
}

Worker::Worker(store::Store& store, SyncService& service, const Clock& clock,
               std::chrono::milliseconds tick)
    : store_(store), service_(service), clock_(clock), tick_(tick) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  {
    // The first look comes at once: a restarted node takes over its own interrupted run (and
    // runs what was queued while it was down) without waiting for a tick.
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  thread_ = std::thread([this] { loop(); });
}

void Worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Worker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Worker::loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, tick_, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    struct Counted {
      std::atomic<std::uint64_t>& rounds;
      ~Counted() { ++rounds; }
    } const counted{rounds_};
    if (auto due = queue_if_due(store_, clock_.now()); !due) {
      spdlog::warn("cannot check whether a sync is due: {}", due.error().message);
      continue;
    } else if (*due) {
      spdlog::info("queued the hourly sync task={}", (*due)->id);
    }
    auto ran = service_.run_next();
    if (!ran) {
      spdlog::warn("cannot claim a task: {}", ran.error().message);
    } else if (*ran) {
      // More may have been queued meanwhile (events during a run): look again at once.
      {
        std::lock_guard lock(mutex_);
        woken_ = true;
      }
      const Task& t = **ran;
      spdlog::info("task finished task={} type={} status={} duration_ms={}", t.id,
                   to_string(t.type), to_string(t.status), t.execution_time_ms().value_or(0));
    }
  }
}

}  // namespace provisio::sync
