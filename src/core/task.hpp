#pragma once
// Background tasks: the run history and the queue that nodes claim work from (behaviour.md §1).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sync_scope.hpp"
#include "core/time.hpp"

namespace provisio {

using TaskId = std::int64_t;

enum class TaskType {
  kGitlabAuthProvisioning,                // the full sync
  kGitlabProjectPermissionsProvisioning,  // one project, after it is bound
  kGitlabEventProvisioning,               // the groups, projects and users GitLab events named
};
enum class TaskStatus { kPending, kInProgress, kSuccess, kFailed, kCanceled };

std::string_view to_string(TaskType t);    // "GITLAB_AUTH_PROVISIONING", ...
std::string_view to_string(TaskStatus s);  // "PENDING", ...
std::optional<TaskType> parse_task_type(std::string_view s);
std::optional<TaskStatus> parse_task_status(std::string_view s);

// How much a full sync covered, in scope at that run: what the status panel shows after every
// run, also one that changed nothing (behaviour.md §3). Computed from the desired state, so a
// plan held back by the guard has them too. Partial syncs (GitLab events, one project) read only
// a part of GitLab and have none.
struct SyncTotals {
  std::int64_t users = 0;     // provisioned users: synchronized from GitLab
  std::int64_t groups = 0;    // mirrored groups: synchronized from GitLab
  std::int64_t projects = 0;  // bound projects in scope: their permissions were synchronized
  friend bool operator==(const SyncTotals&, const SyncTotals&) = default;
};

// What a sync changed; recorded on its task and summarised for people.
struct SyncCounts {
  std::int64_t users_created = 0;
  std::int64_t users_updated = 0;
  std::int64_t users_reactivated = 0;
  std::int64_t users_deactivated = 0;
  std::int64_t groups_created = 0;
  std::int64_t groups_renamed = 0;
  std::int64_t groups_adopted = 0;  // local groups of a GitLab group's name, now its mirror
  std::int64_t groups_deleted = 0;
  std::int64_t memberships_added = 0;
  std::int64_t memberships_removed = 0;
  std::int64_t projects_synced = 0;
  std::int64_t permissions_granted = 0;
  std::int64_t permissions_revoked = 0;
  std::int64_t visibilities_changed = 0;
  std::int64_t gitlab_requests = 0;
  std::int64_t duration_ms = 0;
  std::optional<SyncTotals> totals;  // full syncs only
  friend bool operator==(const SyncCounts&, const SyncCounts&) = default;
};

// How far a running sync has got: shown by the status, the API and the page. Written on the
// task's row (at most once a second) so that every node sharing the database can show it.
struct TaskProgress {
  std::string phase;            // what it does now, for people: "reading GitLab: group members"
  std::int64_t pages_read = 0;  // GitLab pages (requests) answered so far
  std::optional<std::int64_t> pages_expected;  // the last successful full sync's count
  std::optional<Millis> eta_ms;                // time left, when it can be estimated
  friend bool operator==(const TaskProgress&, const TaskProgress&) = default;
};

// The time left when `done` of `expected` units took `elapsed`, at the same pace; nothing when
// there is no basis for a guess (nothing done yet, or more done than expected).
inline std::optional<Millis> estimate_time_left(Millis elapsed, std::int64_t done,
                                                std::optional<std::int64_t> expected) {
  if (!expected || done <= 0 || done >= *expected || elapsed < 0) return std::nullopt;
  return elapsed * (*expected - done) / done;
}

struct Task {
  TaskId id = 0;
  std::string uuid;
  TaskType type = TaskType::kGitlabAuthProvisioning;
  TaskStatus status = TaskStatus::kPending;
  std::optional<std::int64_t> project_id;  // for a per-project sync
  std::optional<SyncScope> scope;          // for an event sync: what to re-read
  std::string submitter;                   // a login, or "scheduler"
  Millis submitted_at = 0;
  std::optional<Millis> started_at;
  std::optional<Millis> finished_at;
  std::optional<std::string> node_id;      // the node holding the lease
  std::optional<Millis> lease_until;       // a node's claim expires at this time
  std::vector<std::string> info_messages;  // the summary
  std::vector<std::string> warnings;
  std::optional<std::string> error_message;
  SyncCounts counts;
  bool held = false;                     // the guard held its plan back
  std::optional<TaskProgress> progress;  // while in progress, once the run has reported some

  std::optional<Millis> execution_time_ms() const {
    if (started_at && finished_at) return *finished_at - *started_at;
    return std::nullopt;
  }
};

}  // namespace provisio
