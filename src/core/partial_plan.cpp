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
  std::erase_if(c.users_to_update, [&](const User& u) {
    if (u.active) return false;
    gl::Id id = 0;
    try {
      id = u.external_id ? std::stoll(*u.external_id) : 0;
    } catch (...) {  // NOLINT(bugprone-empty-catch): not a GitLab id; not deactivated here
    }
    if (gone_users.count(id) != 0) return false;
    kept_back.insert(u.login);
    return true;
  });
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
