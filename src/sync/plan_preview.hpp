#pragma once
// The plan preview behind GET /api/v2/provisioning/plan: the dry run of a full sync
// (SyncService::plan_full, the same planner as `provisio sync --dry-run`). A dry run reads all of
// GitLab, which takes minutes on a large instance, so it never runs inside a request: the first
// request starts it on a thread of its own and is told it is computing; later requests get the
// latest plan computed (with its time), and start a fresh one when that is older than the
// maximum age or when asked to. One computation at a time per node; each node keeps its own.
//
// Thread safety: every method may be called from any thread.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/time.hpp"
#include "sync/sync_service.hpp"

namespace provisio::sync {

struct PreviewedPlan {
  Millis computed_at = 0;
  Result<PlannedSync> result;  // the plan, or why it could not be computed
};

struct PreviewState {
  std::shared_ptr<const PreviewedPlan> latest;  // null until a first computation ended
  std::optional<Millis> computing_since;        // a computation is running
};

class PlanPreview {
 public:
  using Compute = std::function<Result<PlannedSync>()>;
  PlanPreview(Compute compute, const Clock& clock, Millis max_age_ms = Millis{5} * 60 * 1000);
  ~PlanPreview();  // waits for a computation that is running
  PlanPreview(const PlanPreview&) = delete;
  PlanPreview& operator=(const PlanPreview&) = delete;

  // The latest plan and whether one is being computed. Starts a computation when none is
  // running and there is no plan yet, it is older than the maximum age, or `refresh` is true.
  PreviewState get(bool refresh);

  // Blocks until no computation runs (tests; shutdown).
  void wait_idle();

 private:
  Compute compute_;
  const Clock& clock_;
  Millis max_age_ms_;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::shared_ptr<const PreviewedPlan> latest_;
  std::optional<Millis> computing_since_;
  std::thread thread_;
};

}  // namespace provisio::sync
