#include "core/admin_guard.hpp"

#include <string>
#include <unordered_map>
#include <unordered_set>

namespace provisio {
namespace {

bool is_global_admin(const PermissionGrant& g) { return !g.project_id && g.permission == "admin"; }

// Whether `changes` brings an administrator `state` did not have: a user who becomes active (or
// is created active) and then holds a surviving global `admin` grant of its own or through a
// group, or an active user who joins a group that still holds it.
bool gains_an_administrator(const AuthorizationState& state, const ChangeSet& c,
                            const AdminLoss& loss) {
  std::unordered_map<UserId, bool> active;
  for (const User& u : state.users) active[u.id] = u.active;
  std::unordered_set<UserId> reactivated;
  for (const User& u : c.users_to_update) {
    const auto before = active.find(u.id);
    if (u.active && (before == active.end() || !before->second)) reactivated.insert(u.id);
    active[u.id] = u.active;
  }
  const auto active_after = [&](const RowRef& user) {
    if (user.is_created()) {
      return user.created_index() < c.users_to_create.size() &&
             c.users_to_create[user.created_index()].active;
    }
    const auto it = active.find(user.id());
    return it != active.end() && it->second;
  };
  std::unordered_set<GroupId> admin_groups;  // those that still hold it afterwards
  for (const PermissionGrant& g : state.permissions) {
    if (!is_global_admin(g)) continue;
    if (g.user_id && reactivated.count(*g.user_id) != 0 &&
        loss.direct_grants.count(*g.user_id) == 0) {
      return true;
    }
    if (g.group_id && loss.groups.count(*g.group_id) == 0) admin_groups.insert(*g.group_id);
  }
  for (const GroupId group : admin_groups) {
    for (const UserId member : state.memberships.of(group)) {
      if (reactivated.count(member) != 0 && loss.memberships.count({group, member}) == 0) {
        return true;
      }
    }
  }
  for (const MembershipChange& m : c.memberships_to_add) {
    if (!m.group.is_created() && admin_groups.count(m.group.id()) != 0 && active_after(m.user)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<AdminHolding> admin_holdings(const AuthorizationState& state) {
  std::unordered_map<UserId, const User*> active;
  for (const User& u : state.users) {
    if (u.active) active.emplace(u.id, &u);
  }
  std::vector<AdminHolding> out;
  for (const PermissionGrant& g : state.permissions) {
    if (!is_global_admin(g)) continue;
    if (g.user_id) {
      if (const auto it = active.find(*g.user_id); it != active.end()) {
        out.push_back({it->first, it->second->local, std::nullopt});
      }
    } else if (g.group_id) {
      for (const UserId member : state.memberships.of(*g.group_id)) {
        if (const auto it = active.find(member); it != active.end()) {
          out.push_back({member, it->second->local, g.group_id});
        }
      }
    }
  }
  return out;
}

AdminLoss admin_loss_of(const ChangeSet& changes) {
  AdminLoss loss;
  for (const User& u : changes.users_to_update) {
    if (!u.active) loss.users.insert(u.id);
  }
  for (const GlobalPermissionChange& g : changes.global_permissions_to_revoke) {
    if (!g.user.is_created() && g.permission == "admin") loss.direct_grants.insert(g.user.id());
  }
  loss.groups.insert(changes.groups_to_delete.begin(), changes.groups_to_delete.end());
  for (const MembershipChange m : changes.memberships_to_remove) {
    // Rows the change set creates hold nothing yet.
    if (m.group.is_created() || m.user.is_created()) continue;
    loss.memberships.insert({m.group.id(), m.user.id()});
  }
  return loss;
}

std::vector<AdminHolding> surviving(const std::vector<AdminHolding>& holdings,
                                    const AdminLoss& loss) {
  std::vector<AdminHolding> out;
  for (const AdminHolding& h : holdings) {
    if (loss.users.count(h.user) != 0) continue;
    if (loss.gitlab_logins && !h.local) continue;
    if (!h.group) {
      if (loss.direct_grants.count(h.user) != 0) continue;
    } else if (loss.groups.count(*h.group) != 0 ||
               loss.memberships.count(Membership{*h.group, h.user}) != 0) {
      continue;
    }
    out.push_back(h);
  }
  return out;
}

Status keeps_an_administrator(const std::vector<AdminHolding>& holdings, const AdminLoss& loss,
                              std::string_view change) {
  if (holdings.empty() || !surviving(holdings, loss).empty()) return {};
  AdminLoss without_logins = loss;
  without_logins.gitlab_logins = false;
  const bool only_logins = !surviving(holdings, without_logins).empty();
  std::string message =
      std::string(change) + " would leave no active user holding the global 'admin' permission";
  message += only_logins
                 ? " who can still log in (every administrator left logs in with GitLab): grant "
                   "'admin' to a local user first."
                 : ": grant 'admin' to another active user (or to a group with active members) "
                   "first.";
  return make_error(ErrorCode::kFailedPrecondition, message);
}

bool leaves_no_administrator(const AuthorizationState& state, const ChangeSet& changes) {
  const std::vector<AdminHolding> holdings = admin_holdings(state);
  if (holdings.empty()) return false;  // nobody to lose: not this change's doing
  const AdminLoss loss = admin_loss_of(changes);
  return surviving(holdings, loss).empty() && !gains_an_administrator(state, changes, loss);
}

}  // namespace provisio
