#include "core/admin_guard.hpp"

#include <set>
#include <unordered_map>
#include <unordered_set>

namespace provisio {
namespace {

bool is_global_admin(const PermissionGrant& g) { return !g.project_id && g.permission == "admin"; }

std::unordered_set<UserId> active_users(const AuthorizationState& state) {
  std::unordered_set<UserId> out;
  for (const User& u : state.users) {
    if (u.active) out.insert(u.id);
  }
  return out;
}

}  // namespace

bool has_active_administrator(const AuthorizationState& state) {
  const std::unordered_set<UserId> active = active_users(state);
  for (const PermissionGrant& g : state.permissions) {
    if (!is_global_admin(g)) continue;
    if (g.user_id && active.count(*g.user_id) != 0) return true;
    if (!g.group_id) continue;
    for (const UserId member : state.memberships.of(*g.group_id)) {
      if (active.count(member) != 0) return true;
    }
  }
  return false;
}

bool leaves_no_administrator(const AuthorizationState& state, const ChangeSet& c) {
  if (!has_active_administrator(state)) return false;  // nobody to lose: not this change's doing
  // Who is active afterwards: the stored users as the change set updates them, and new users.
  std::unordered_map<UserId, bool> active;
  for (const User& u : state.users) active[u.id] = u.active;
  for (const User& u : c.users_to_update) active[u.id] = u.active;
  const auto active_after = [&](const RowRef& user) {
    if (user.is_created()) {
      return user.created_index() < c.users_to_create.size() &&
             c.users_to_create[user.created_index()].active;
    }
    const auto it = active.find(user.id());
    return it != active.end() && it->second;
  };
  std::set<UserId> revoked;  // users whose global `admin` is revoked
  for (const GlobalPermissionChange& g : c.global_permissions_to_revoke) {
    if (!g.user.is_created() && g.permission == "admin") revoked.insert(g.user.id());
  }
  const std::unordered_set<GroupId> deleted(c.groups_to_delete.begin(), c.groups_to_delete.end());
  std::unordered_set<GroupId> admin_groups;  // those that still exist afterwards
  for (const PermissionGrant& g : state.permissions) {
    if (!is_global_admin(g)) continue;
    if (g.user_id && revoked.count(*g.user_id) == 0 && active_after(RowRef::of_id(*g.user_id))) {
      return false;  // a direct holder stays
    }
    if (g.group_id && deleted.count(*g.group_id) == 0) admin_groups.insert(*g.group_id);
  }
  // Members of the administrators' groups: those who stay, then those who join.
  std::set<std::pair<GroupId, UserId>> removed;
  for (const MembershipChange& m : c.memberships_to_remove) {
    if (!m.group.is_created() && !m.user.is_created() && admin_groups.count(m.group.id()) != 0) {
      removed.emplace(m.group.id(), m.user.id());
    }
  }
  for (const GroupId group : admin_groups) {
    for (const UserId member : state.memberships.of(group)) {
      if (removed.count({group, member}) == 0 && active_after(RowRef::of_id(member))) return false;
    }
  }
  for (const MembershipChange& m : c.memberships_to_add) {
    if (!m.group.is_created() && admin_groups.count(m.group.id()) != 0 && active_after(m.user)) {
      return false;
    }
  }
  return true;
}

}  // namespace provisio
