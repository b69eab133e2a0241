#pragma once
// Never without an administrator (behaviour.md §5): at least one active user always holds the
// global `admin` permission (Administer System), directly or through a group, and a change that
// would leave none is refused. One rule for every path that can take the permission away: the
// API and the command line (revoking a grant, deactivating a user, deleting a group, removing a
// member, disabling GitLab authentication: keeps_an_administrator over the store's holdings) and
// the sync's plans (leaves_no_administrator over the state a plan was computed from, which holds
// the plan back; the store refuses such a change set too). Pure functions.

#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "core/change_set.hpp"
#include "core/error.hpp"
#include "core/group.hpp"
#include "core/state.hpp"
#include "core/user.hpp"

namespace provisio {

// One way an active user holds the global `admin` permission: a grant of its own, or a
// membership of a group granted it.
struct AdminHolding {
  UserId user = 0;
  bool local = false;            // logs in with a password here, not through GitLab
  std::optional<GroupId> group;  // empty: the user's own grant
  friend bool operator==(const AdminHolding&, const AdminHolding&) = default;
};

// What a change takes away.
struct AdminLoss {
  std::set<UserId> users;            // deactivated (or deleted)
  std::set<UserId> direct_grants;    // their own global `admin` grant revoked
  std::set<GroupId> groups;          // deleted, or their global `admin` grant revoked
  std::set<Membership> memberships;  // removed
  // GitLab authentication is disabled: users who log in through GitLab can no longer log in, so
  // only local users still count as administrators who can act.
  bool gitlab_logins = false;

  bool empty() const {
    return users.empty() && direct_grants.empty() && groups.empty() && memberships.empty() &&
           !gitlab_logins;
  }
};

// Every holding of the global `admin` permission by an active user in `state`.
std::vector<AdminHolding> admin_holdings(const AuthorizationState& state);

// True when some active user of `state` holds global `admin`, directly or through a group.
inline bool has_active_administrator(const AuthorizationState& state) {
  return !admin_holdings(state).empty();
}

// What applying `changes` takes away: its deactivated users, revoked direct `admin` grants,
// deleted groups and removed memberships (rows the change set creates hold nothing yet).
AdminLoss admin_loss_of(const ChangeSet& changes);

// The holdings that survive `loss`.
std::vector<AdminHolding> surviving(const std::vector<AdminHolding>& holdings,
                                    const AdminLoss& loss);

// kFailedPrecondition when `holdings` had an administrator and none survives `loss`; the message
// says that `change` (e.g. "Revoking 'admin' from the user 'alice'") would leave the instance
// without one and what to do instead. A state that already has none refuses nothing: a change
// cannot make it worse, and refusing would block the repair.
Status keeps_an_administrator(const std::vector<AdminHolding>& holdings, const AdminLoss& loss,
                              std::string_view change);

// True when `state` has an active administrator and applying `changes` would leave none: no
// holding survives admin_loss_of(changes), and the change set brings no new one (a user it
// reactivates or creates in a group that still holds `admin`, or one it reactivates that holds
// the permission directly).
bool leaves_no_administrator(const AuthorizationState& state, const ChangeSet& changes);

}  // namespace provisio
