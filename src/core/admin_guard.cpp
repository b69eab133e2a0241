#include "core/admin_guard.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

namespace provisio {

std::vector<AdminHolding> admin_holdings(const AuthorizationState& state) {
  std::unordered_map<UserId, const User*> active;
  for (const User& u : state.users) {
    if (u.active) active.emplace(u.id, &u);
  }
  std::vector<AdminHolding> out;
  for (const PermissionGrant& g : state.permissions) {
    if (g.project_id || g.permission != "admin") continue;
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
  loss.groups.insert(changes.groups_to_delete.begin(), changes.groups_to_delete.end());
  for (const MembershipChange m : changes.memberships_to_remove) {
    // Rows the plan creates hold nothing yet.
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
  const bool only_logins = surviving(holdings, AdminLoss{loss.users, loss.direct_grants,
                                                         loss.groups, loss.memberships, false})
                               .size() != 0;
  std::string message =
      std::string(change) + " would leave no active user holding the global 'admin' permission";
  message += only_logins
                 ? " who can still log in (every administrator left logs in with GitLab): grant "
                   "'admin' to a local user first."
                 : ": grant 'admin' to another active user (or to a group with active members) "
                   "first.";
  return make_error(ErrorCode::kFailedPrecondition, message);
}

}  // namespace provisio
