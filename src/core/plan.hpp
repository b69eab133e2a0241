#pragma once
// The plan: the changes that bring the server's managed rows to the desired state, each with the
// GitLab fact that causes it (behaviour.md §3). Pure.
//   - Users are matched by GitLab id; a managed user out of scope is deactivated and stripped of
//     every membership (the default group's included) and every permission (global ones and
//     those on unbound projects included); a reactivated user starts again from the default
//     group plus what GitLab gives.
//   - Groups are matched by GitLab id; a local group named like a GitLab group in scope (or a
//     former mirror of it) is adopted: it becomes the mirror and keeps its uuid and permissions.
//   - A provisioned user's memberships are the sync's: the user leaves every local group.
//   - Otherwise local users, local groups, global permissions and projects not bound to a GitLab
//     project in scope are left alone.
// The guard holds back a plan that would deactivate too many users, leave a bound project
// without an administrator, or leave no active user holding Administer System.

#include <optional>
#include <string>
#include <vector>

#include "core/change_set.hpp"
#include "core/desired_state.hpp"
#include "core/random.hpp"
#include "core/state.hpp"
#include "core/task.hpp"

namespace provisio {

struct GuardOptions {
  double max_deactivated_share = 0.10;  // of the managed users
  std::int64_t max_deactivated = 500;
};

struct Plan {
  ChangeSet changes;  // with one audit entry per change
  SyncCounts counts;
  std::vector<std::string> warnings;
  std::optional<std::string> held;  // why the guard holds the plan back

  bool empty() const { return changes.size() == changes.audit.size() && changes.audit.empty(); }
};

Plan make_plan(const Snapshot& snapshot, const DesiredState& desired,
               const AuthorizationState& current, const GuardOptions& guard, Millis now,
               Random& random);

// "Jane Doe" -> "jane-doe"; "" -> "user". Logins are this plus a random number.
std::string slugify(std::string_view name);

}  // namespace provisio
