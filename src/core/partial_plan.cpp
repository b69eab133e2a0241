#include "core/partial_plan.hpp"

#include <algorithm>
#include <unordered_map>

namespace provisio {

DesiredState restrict_desired(DesiredState d, const std::set<gl::Id>& groups,
                              const std::set<gl::Id>& projects) {
  std::erase_if(d.groups, [&](const DesiredGroup& g) { return groups.count(g.gitlab_id) == 0; });
  std::erase_if(d.permissions,
                [&](const DesiredPermissions& p) { return projects.count(p.project) == 0; });
  std::erase_if(d.visibilities, [&](const auto& v) { return projects.count(v.first) == 0; });
  std::erase_if(d.projects_in_scope, [&](gl::Id id) { return projects.count(id) == 0; });
  // The users still referenced, renumbered (members refer to users by index).
  std::vector<bool> held(d.users.size(), false);
  for (const DesiredGroup& g : d.groups) {
    for (const DesiredMember& m : g.members) held[m.user] = true;
  }
  std::unordered_map<gl::Id, std::size_t> index;
  for (std::size_t i = 0; i < d.users.size(); ++i) index.emplace(d.users[i].gitlab_id, i);
  for (const DesiredPermissions& p : d.permissions) held[index.at(p.user)] = true;
  std::vector<std::uint32_t> renumbered(d.users.size(), 0);
  std::vector<DesiredUser> users;
  for (std::size_t i = 0; i < d.users.size(); ++i) {
    if (!held[i]) continue;
    renumbered[i] = static_cast<std::uint32_t>(users.size());
    users.push_back(std::move(d.users[i]));
  }
  d.users = std::move(users);
  for (DesiredGroup& g : d.groups) {
    for (DesiredMember& m : g.members) m.user = renumbered[m.user];
  }
  return d;
}

void keep_partial_changes(Plan& plan, const std::set<gl::Id>& gone_users) {
  ChangeSet& c = plan.changes;
  std::set<std::string> kept_back;  // logins whose deactivation is dropped
  std::set<UserId> kept_back_ids;
  std::erase_if(c.users_to_update, [&](const User& u) {
    if (u.active) return false;
    gl::Id id = 0;
    try {
      id = u.external_id ? std::stoll(*u.external_id) : 0;
    } catch (...) {  // NOLINT(bugprone-empty-catch): not a GitLab id; not deactivated here
    }
    if (gone_users.count(id) != 0) return false;
    kept_back.insert(u.login);
    kept_back_ids.insert(u.id);
    return true;
  });
  // What those deactivations would have removed.
  const auto cause = std::find(c.causes.begin(), c.causes.end(), kDeactivatedCause);
  if (!kept_back_ids.empty() && cause != c.causes.end()) {
    const auto index = static_cast<std::uint32_t>(cause - c.causes.begin());
    const auto dropped = [&](std::uint32_t why, const RowRef& user) {
      return why == index && !user.is_created() && kept_back_ids.count(user.id()) != 0;
    };
    MembershipChanges kept;
    for (const MembershipChange& m : c.memberships_to_remove) {
      if (!dropped(m.cause, m.user)) kept.push_back(m);
    }
    plan.counts.memberships_removed -=
        static_cast<std::int64_t>(c.memberships_to_remove.size() - kept.size());
    c.memberships_to_remove = std::move(kept);
    plan.counts.permissions_revoked -= static_cast<std::int64_t>(std::erase_if(
        c.permissions_to_revoke, [&](const auto& p) { return dropped(p.cause, p.user); }));
    plan.counts.permissions_revoked -= static_cast<std::int64_t>(std::erase_if(
        c.global_permissions_to_revoke, [&](const auto& p) { return dropped(p.cause, p.user); }));
  }
  const std::size_t deleted = c.groups_to_delete.size();
  c.groups_to_delete.clear();
  std::erase_if(c.audit, [&](const AuditEntry& a) {
    return (a.action == "user.deactivate" && kept_back.count(a.entity) != 0) ||
           a.action == "group.delete";
  });
  plan.counts.users_deactivated -= static_cast<std::int64_t>(kept_back.size());
  plan.counts.groups_deleted -= static_cast<std::int64_t>(deleted);
}

}  // namespace provisio
