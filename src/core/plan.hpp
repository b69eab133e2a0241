#pragma once
// The plan: the changes that bring the server's managed rows to the desired state, each with the
// GitLab fact that causes it (behaviour.md §3). Pure. Never touches the default group's
// memberships, local users, local groups, global permissions, or projects that are not bound to a
// GitLab project in scope. The guard holds back a plan that would deactivate too many users or
// leave a bound project without an administrator.

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
