#pragma once
// Start here for the sync. One full sync: read a complete GitLab snapshot, compute the desired
// state and the plan, let the guard look at it, and apply it in one transaction with an audit row
// per change; the task records the outcome. Also the dry run, the per-project sync that follows
// a binding, and the confirmation of a plan the guard held back.
//
// Threading: run() blocks for the whole sync; call it from the sync thread, one at a time per
// node (the task lease keeps nodes apart). Other methods may be called from any thread.

#include <functional>
#include <memory>
#include <string>

#include "core/plan.hpp"
#include "core/random.hpp"
#include "core/time.hpp"
#include "gitlab/http_transport.hpp"
#include "gitlab/request_engine.hpp"
#include "metrics/registry.hpp"
#include "store/store.hpp"
#include "sync/member_list_cache.hpp"
#include "sync/members_reader.hpp"
#include "sync/progress.hpp"

namespace provisio::sync {

struct SyncOptions {
  ProvisioningRules rules;
  GuardOptions guard;
  gitlab::EngineOptions engine;
  // How a full sync reads member lists (PROVISIO_GITLAB_READ_API, docs/gitlab-graphql.md).
  MembersApi members_api = MembersApi::kGraphql;
  std::string node_id = "node";
  Millis lease_ms = 120'000;     // a node that stops renewing loses its task after this
  Millis heartbeat_ms = 20'000;  // how often a running sync renews its lease
  Millis progress_ms = 1'000;    // how often a running sync writes its progress on its task
  // The most groups, projects, users and members that GitLab events may leave pending for one
  // partial sync; past it the pending events become one full sync (Store::queue_event_scope).
  std::size_t max_event_scope = 1'000;
  // Where runs are counted (GET /metrics); not owned. GitLab requests are counted through
  // engine.metrics, which the wiring points at the same registry.
  metrics::Registry* metrics = nullptr;
  // How many GitLab members (rows of direct member lists) event syncs keep between runs
  // (sync/member_list_cache.hpp): about 250 bytes each.
  std::size_t member_cache_members = 200'000;
};

// Makes the transport a sync reads GitLab through (libcurl in production).
using TransportFactory = std::function<std::unique_ptr<gitlab::HttpTransport>()>;

struct PlannedSync {
  Plan plan;
  std::int64_t gitlab_requests = 0;
  Millis duration_ms = 0;
};

class SyncService {
 public:
  SyncService(store::Store& store, TransportFactory transports, const Clock& clock,
              SyncOptions options);
  ~SyncService();

  // Reads GitLab and computes what a full sync would change now. Writes nothing.
  Result<PlannedSync> plan_full();

  // Queues a full sync; kAlreadyExists while one is pending or running.
  Result<Task> request_full(const std::string& submitter);

  // Queues the partial sync of what GitLab events named, merged into the event sync still
  // pending if there is one (sync/scoped_reader.hpp says what is re-read); a full sync instead
  // when that would name more than options().max_event_scope (the task's type says which).
  Result<Task> request_scoped(const SyncScope& scope, const std::string& submitter);

  // Runs a task this node has claimed to its end: records its outcome (and holds its plan back
  // when the guard says so) and returns it. Never throws.
  store::TaskOutcome run(const Task& task);

  // Applies exactly the plan the guard held back for task `held`, as a new task run now.
  // kFailedPrecondition when the plan is out of date: a run succeeded after it (the rows it was
  // computed against changed), or a newer plan was held back.
  Result<Task> confirm(TaskId held, const std::string& submitter);

  // Claims the next task for this node and runs it; empty when there was none to claim.
  Result<std::optional<Task>> run_next();

  const SyncOptions& options() const { return options_; }

 private:
  struct Computed {
    Plan plan;
    std::int64_t requests = 0;
    std::string phases;                    // "snapshot 1.2 s, load 0.3 s, ..." for the log
    std::vector<store::ShareLink> shares;  // a full sync's: where groups are invited
    bool needs_full = false;               // a partial read met a group that is gone
  };
  // The configuration to read GitLab with, when automatic provisioning can run.
  Result<GitlabConfig> automatic_config();
  // `progress`, when given, follows the run (phases and pages read).
  Result<Computed> compute(std::optional<std::int64_t> only_project,
                           SyncProgress* progress = nullptr);
  // A partial sync: reads only what `scope` touches and changes only the rows that determines.
  // A scope naming members only recomputes those users' rows. `task` is the run's task: the
  // cache of member lists catches up on the task log up to it.
  Result<Computed> compute_scoped(const SyncScope& scope, SyncProgress* progress, TaskId task = 0);
  // Drops from the cache of member lists what the syncs queued since it was last brought up to
  // date (on any node) may have made stale; `task` is the run about to use it.
  Status catch_up_member_lists(TaskId task);
  // The GitLab requests of the last successful full sync: what this one will likely need.
  std::optional<std::int64_t> expected_pages(const Task& task);
  store::TaskOutcome apply_and_record(const Task& task, Computed computed, Millis started);
  // Why the plan held back by `held` is out of date (a later run succeeded or held a newer plan
  // back; `except` is not counted), or nothing when it is not.
  Result<std::optional<std::string>> superseded(const Task& held, std::optional<TaskId> except);

  store::Store& store_;
  TransportFactory transports_;
  const Clock& clock_;
  SyncOptions options_;
  std::unique_ptr<MemberListCache> member_lists_;  // event syncs' (sync/member_list_cache.hpp)
};

// "3 users created, 1 reactivated; 2 groups created; ..." for the task's info messages.
std::vector<std::string> summarize(const SyncCounts& c);

}  // namespace provisio::sync
