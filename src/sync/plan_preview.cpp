#include "sync/plan_preview.hpp"

namespace provisio::sync {

PlanPreview::PlanPreview(Compute compute, const Clock& clock, Millis max_age_ms)
    : compute_(std::move(compute)), clock_(clock), max_age_ms_(max_age_ms) {}

PlanPreview::~PlanPreview() {
  wait_idle();
  if (thread_.joinable()) thread_.join();
}

PreviewState PlanPreview::get(bool refresh) {
  std::lock_guard lock(mutex_);
  const Millis now = clock_.now();
  const bool stale = !latest_ || latest_->computed_at + max_age_ms_ <= now;
  if (!computing_since_ && (refresh || stale)) {
    if (thread_.joinable()) thread_.join();  // the previous one has ended
    computing_since_ = now;
    thread_ = std::thread([this] {
      auto result = compute_();
      auto done =
          std::make_shared<const PreviewedPlan>(PreviewedPlan{clock_.now(), std::move(result)});
      std::lock_guard done_lock(mutex_);
      latest_ = std::move(done);
      computing_since_.reset();
      idle_.notify_all();
    });
  }
  return PreviewState{latest_, computing_since_};
}

void PlanPreview::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return !computing_since_; });
}

}  // namespace provisio::sync
