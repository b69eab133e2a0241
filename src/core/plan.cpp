#include "core/plan.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/admin_guard.hpp"

namespace provisio {
namespace {

constexpr std::string_view kActor = "sync";

struct Builder {
  const Snapshot& s;
  Millis now;
  Plan plan;

  void audit(std::string action, std::string entity_type, std::string entity,
             std::optional<std::string> before, std::optional<std::string> after,
             std::optional<std::string> cause) {
    plan.changes.audit.push_back(audit_entry(now, kActor, std::move(action), std::move(entity_type),
                                             std::move(entity), std::move(before), std::move(after),
                                             std::move(cause)));
  }
};

std::string user_text(const User& u) {
  return u.name + " <" + u.email.value_or("no email") + ">" + (u.active ? "" : " (deactivated)");
}

std::string new_login(const std::string& name, Random& random,
                      std::unordered_set<std::string>& taken) {
  const std::string base = slugify(name);
  for (;;) {
    std::string login = base + "-" + std::to_string(1000 + random.below(99000));
    if (taken.insert(login).second) return login;
  }
}

}  // namespace

std::string slugify(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) && c < 128) {
      out.push_back(static_cast<char>(std::tolower(c)));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 40) out.resize(40);
  return out.empty() ? "user" : out;
}

Plan make_plan(const Snapshot& s, const DesiredState& desired, const AuthorizationState& current,
               const GuardOptions& guard, Millis now, Random& random) {
  Builder b{s, now, {}};
  ChangeSet& c = b.plan.changes;
  SyncCounts& n = b.plan.counts;
  b.plan.warnings = desired.warnings;
  c.membership_audit.at = now;
  c.membership_audit.actor = std::string(kActor);
  c.causes.emplace_back();  // 0: no cause told

  // ---- users, matched by GitLab id
  std::unordered_map<gl::Id, const User*> by_gitlab_id;
  std::unordered_set<std::string> logins;
  std::unordered_map<UserId, const User*> by_id;
  for (const User& u : current.users) {
    logins.insert(u.login);
    by_id.emplace(u.id, &u);
    if (u.external_provider == ExternalProvider::kGitlab && u.external_id) {
      try {
        by_gitlab_id.emplace(std::stoll(*u.external_id), &u);
      } catch (...) {  // NOLINT(bugprone-empty-catch): not a GitLab id; the user stays local
      }
    }
  }
  GroupId default_group = 0;
  for (const Group& g : current.groups) {
    if (g.is_default) default_group = g.id;
  }
  const GroupMembers& members = current.memberships;
  const std::span<const UserId> default_members = members.of(default_group);

  std::unordered_map<gl::Id, RowRef> user_ref;
  // Users who hold nothing after this plan (deactivated now, or deactivated before and still out
  // of scope), and users reactivated now, who start again from sonar-users plus GitLab's.
  std::unordered_set<UserId> stripped, reactivated, provisioned;
  std::int64_t managed_active = 0;
  for (const User& u : current.users) {
    if (u.managed && u.active) ++managed_active;
  }
  for (const DesiredUser& d : desired.users) {
    const std::string cause = describe(s, d.cause);
    const auto it = by_gitlab_id.find(d.gitlab_id);
    if (it == by_gitlab_id.end()) {
      User u;
      u.uuid = random_uuid(random);
      u.login = new_login(d.name, random, logins);
      u.name = d.name;
      u.email = d.email;
      u.active = true;
      u.managed = true;
      u.external_provider = ExternalProvider::kGitlab;
      u.external_id = std::to_string(d.gitlab_id);
      u.external_login = d.username;
      u.created_at = now;
      u.updated_at = now;
      user_ref.emplace(d.gitlab_id, RowRef::of_created(c.users_to_create.size()));
      b.audit("user.create", "user", u.login, std::nullopt, user_text(u), cause);
      c.users_to_create.push_back(std::move(u));
      ++n.users_created;
      continue;
    }
    const User& cur = *it->second;
    user_ref.emplace(d.gitlab_id, RowRef::of_id(cur.id));
    provisioned.insert(cur.id);
    User next = cur;
    next.name = d.name;
    next.email = d.email;
    next.external_login = d.username;
    next.managed = true;
    next.active = true;
    if (!cur.active) {
      reactivated.insert(cur.id);
      ++n.users_reactivated;
      b.audit("user.reactivate", "user", cur.login, user_text(cur), user_text(next), cause);
      if (default_group != 0 &&
          !std::binary_search(default_members.begin(), default_members.end(), cur.id)) {
        c.memberships_to_add.push_back({RowRef::of_id(default_group), RowRef::of_id(cur.id)});
      }
    } else if (next.name != cur.name || next.email != cur.email ||
               next.external_login != cur.external_login || !cur.managed) {
      ++n.users_updated;
      b.audit("user.update", "user", cur.login, user_text(cur), user_text(next), cause);
    } else {
      continue;
    }
    c.users_to_update.push_back(std::move(next));
  }
  std::unordered_set<gl::Id> wanted_users;
  for (const DesiredUser& d : desired.users) wanted_users.insert(d.gitlab_id);
  for (const auto& [gitlab_id, u] : by_gitlab_id) {
    if (!u->managed || wanted_users.count(gitlab_id) != 0) continue;
    stripped.insert(u->id);
    if (!u->active) continue;
    User next = *u;
    next.active = false;
    c.users_to_update.push_back(next);
    ++n.users_deactivated;
    b.audit("user.deactivate", "user", u->login, user_text(*u), user_text(next),
            "no longer a member of any group or project in the allowed groups: every group "
            "membership and permission removed, sessions and tokens revoked");
  }
  std::sort(c.users_to_update.begin(), c.users_to_update.end(),
            [](const User& a, const User& b2) { return a.id < b2.id; });

  // ---- groups, matched by GitLab id; a local group of the same name (or a former mirror of the
  // same GitLab group, left local by a switch to Just-in-Time) is adopted
  std::unordered_map<gl::Id, const Group*> managed_groups;
  std::unordered_map<gl::Id, const Group*> former_mirrors;  // local groups still carrying an id
  std::unordered_map<std::string, const Group*> by_name;
  for (const Group& g : current.groups) {
    by_name.emplace(g.name, &g);
    if (!g.external_id || g.is_default) continue;
    try {
      const gl::Id id = std::stoll(*g.external_id);
      if (g.managed) {
        managed_groups.emplace(id, &g);
      } else {
        former_mirrors.emplace(id, &g);
      }
    } catch (...) {  // NOLINT(bugprone-empty-catch): not a mirrored group
    }
  }
  std::unordered_map<gl::Id, RowRef> group_ref;
  std::unordered_set<gl::Id> wanted_groups;
  std::unordered_set<GroupId> adopted;
  // Former mirrors whose GitLab id an adopted group takes, with that id.
  std::vector<std::pair<Group, gl::Id>> unbound;
  for (const DesiredGroup& d : desired.groups) {
    wanted_groups.insert(d.gitlab_id);
    const auto named = by_name.find(d.full_path);
    const Group* local_named =
        named != by_name.end() && !named->second->managed && !named->second->is_default
            ? named->second
            : nullptr;
    const bool name_is_local = named != by_name.end() && !named->second->managed;
    const auto it = managed_groups.find(d.gitlab_id);
    if (it == managed_groups.end()) {
      const auto former = former_mirrors.find(d.gitlab_id);
      const Group* adopt = nullptr;
      if (local_named != nullptr && adopted.count(local_named->id) == 0) {
        adopt = local_named;
      } else if (local_named == nullptr && former != former_mirrors.end() &&
                 adopted.count(former->second->id) == 0 &&
                 (named == by_name.end() || named->second == former->second)) {
        adopt = former->second;  // renamed in GitLab since it was left local
      }
      if (adopt != nullptr) {
        if (former != former_mirrors.end() && former->second != adopt) {
          Group off = *former->second;
          off.external_id.reset();
          unbound.emplace_back(std::move(off), d.gitlab_id);
        }
        Group next = *adopt;
        next.managed = true;
        next.external_id = std::to_string(d.gitlab_id);
        next.name = d.full_path;
        group_ref.emplace(d.gitlab_id, RowRef::of_id(adopt->id));
        adopted.insert(adopt->id);
        b.audit(
            "group.adopt", "group", adopt->name, adopt->name + " (local)",
            d.full_path + " (managed, mirrors GitLab group " + std::to_string(d.gitlab_id) + ")",
            "GitLab group " + d.full_path +
                " in the allowed groups has this name: the group "
                "keeps its permissions and its members now follow GitLab");
        c.groups_to_update.push_back(std::move(next));
        ++n.groups_adopted;
        continue;
      }
      if (named != by_name.end() && named->second->is_default) {  // never adopted
        b.plan.warnings.push_back("The GitLab group " + d.full_path +
                                  " is not mirrored: its name is the default group's.");
        continue;
      }
      if (former != former_mirrors.end()) {  // its id is the new group's now (unique)
        Group off = *former->second;
        off.external_id.reset();
        unbound.emplace_back(std::move(off), d.gitlab_id);
      }
      Group g;
      g.uuid = random_uuid(random);
      g.name = d.full_path;
      g.description = "Mirrors the GitLab group " + d.full_path;
      g.managed = true;
      g.external_id = std::to_string(d.gitlab_id);
      group_ref.emplace(d.gitlab_id, RowRef::of_created(c.groups_to_create.size()));
      b.audit("group.create", "group", g.name, std::nullopt, g.name,
              "GitLab group " + d.full_path + " in the allowed groups");
      c.groups_to_create.push_back(std::move(g));
      ++n.groups_created;
      continue;
    }
    const Group& cur = *it->second;
    group_ref.emplace(d.gitlab_id, RowRef::of_id(cur.id));
    if (cur.name != d.full_path) {
      if (name_is_local) {
        b.plan.warnings.push_back("The group " + cur.name + " was not renamed to " + d.full_path +
                                  ": a local group has that name.");
        continue;
      }
      Group next = cur;
      next.name = d.full_path;
      next.description = "Mirrors the GitLab group " + d.full_path;
      b.audit("group.rename", "group", cur.name, cur.name, next.name,
              "GitLab group " + std::to_string(d.gitlab_id) + " is now " + d.full_path);
      c.groups_to_update.push_back(std::move(next));
      ++n.groups_renamed;
    }
  }
  for (auto& [g, gitlab_id] : unbound) {
    if (adopted.count(g.id) != 0) continue;
    b.audit("group.unbind", "group", g.name, "GitLab group " + std::to_string(gitlab_id),
            std::nullopt, "another group of the server now mirrors that GitLab group");
    c.groups_to_update.push_back(std::move(g));
  }
  for (const auto& [gitlab_id, g] : managed_groups) {
    if (wanted_groups.count(gitlab_id) != 0) continue;
    c.groups_to_delete.push_back(g->id);
    b.audit("group.delete", "group", g->name, g->name, std::nullopt,
            "GitLab group " + std::to_string(gitlab_id) +
                " is no longer in the allowed groups (deleted, moved or hidden)");
    ++n.groups_deleted;
  }
  std::sort(c.groups_to_delete.begin(), c.groups_to_delete.end());

  // ---- memberships of mirrored groups (GitLab users only: local users are left alone)
  // Group by group, the desired members (sorted by GitLab id) are walked side by side with the
  // group's current GitLab members: a first sync of a large GitLab has millions, so no set and
  // no string per membership, and nothing the size of all of them besides the changes.
  // One cause text per distinct cause (most members of a group share theirs).
  std::unordered_map<std::string, std::uint32_t> cause_index;
  const auto intern = [&](std::string text) {
    const auto [it, added] =
        cause_index.try_emplace(std::move(text), static_cast<std::uint32_t>(c.causes.size()));
    if (added) c.causes.push_back(it->first);
    return it->second;
  };
  // Desired cause index -> change set cause index, described once each.
  std::vector<std::int64_t> described(desired.membership_causes.size(), -1);
  const auto cause_of = [&](std::uint32_t cause) {
    if (described[cause] < 0)
      described[cause] = intern(describe(s, desired.membership_causes[cause]));
    return static_cast<std::uint32_t>(described[cause]);
  };
  std::vector<std::pair<gl::Id, UserId>> have;  // one group's GitLab members: (GitLab id, id)
  for (const DesiredGroup& d : desired.groups) {
    const auto group = group_ref.find(d.gitlab_id);
    if (group == group_ref.end()) continue;  // a group not mirrored (name taken)
    have.clear();
    if (!group->second.is_created()) {
      for (const UserId member : members.of(group->second.id())) {
        const auto u = by_id.find(member);
        if (u == by_id.end() || u->second->external_provider != ExternalProvider::kGitlab ||
            !u->second->external_id) {
          continue;
        }
        have.emplace_back(std::stoll(*u->second->external_id), member);
      }
      std::sort(have.begin(), have.end());
    }
    std::uint32_t removal_cause = 0;
    const auto remove = [&](UserId user) {
      if (removal_cause == 0) removal_cause = intern("not a member of GitLab group " + d.full_path);
      c.memberships_to_remove.push_back({group->second, RowRef::of_id(user), removal_cause});
      ++n.memberships_removed;
    };
    auto h = have.begin();
    for (const DesiredMember& m : d.members) {
      const gl::Id user = desired.users[m.user].gitlab_id;
      while (h != have.end() && h->first < user) remove((h++)->second);
      if (h != have.end() && h->first == user) {
        ++h;
        continue;
      }
      c.memberships_to_add.push_back({group->second, user_ref.at(user), cause_of(m.cause)});
      ++n.memberships_added;
    }
    while (h != have.end()) remove((h++)->second);
  }
  have = {};

  // ---- the other groups: the default group and local ones. A provisioned user's memberships
  // are the sync's (behaviour.md §3): it leaves every local group; a user who holds nothing
  // (deactivated) leaves the default group too. Mirrored groups were compared above, and the
  // groups deleted take their memberships with them.
  const std::uint32_t deactivated_cause = intern(std::string(kDeactivatedCause));
  std::uint32_t local_cause = 0;
  {
    std::unordered_set<GroupId> compared(adopted.begin(), adopted.end());
    for (const auto& [gitlab_id, g] : managed_groups) compared.insert(g->id);
    for (const Group& g : current.groups) {
      if (compared.count(g.id) != 0) continue;
      for (const UserId member : members.of(g.id)) {
        std::uint32_t cause = 0;
        if (stripped.count(member) != 0) {
          cause = deactivated_cause;
        } else if (!g.is_default && provisioned.count(member) != 0) {
          if (local_cause == 0) {
            local_cause = intern(
                "a provisioned user's group memberships follow GitLab: local groups are not "
                "theirs");
          }
          cause = local_cause;
        } else {
          continue;
        }
        c.memberships_to_remove.push_back({RowRef::of_id(g.id), RowRef::of_id(member), cause});
        ++n.memberships_removed;
      }
    }
  }

  // ---- permissions and visibility of bound projects in scope
  std::unordered_map<std::int64_t, const Project*> bound;  // GitLab project id -> project
  for (const Project& p : current.projects) {
    if (p.gitlab_project_id && desired.projects_in_scope.count(*p.gitlab_project_id) != 0) {
      bound.emplace(*p.gitlab_project_id, &p);
    }
  }
  std::unordered_map<ProjectId, const Project*> bound_by_id;
  for (const auto& [gid, p] : bound) bound_by_id.emplace(p->id, p);
  // (project id, GitLab user id, permission), sorted: hundreds of thousands on a large GitLab
  // with many bound projects, so vectors walked once rather than sets of strings.
  using Grant = std::tuple<ProjectId, gl::Id, ProjectPermission>;
  std::vector<Grant> granted;
  for (const PermissionGrant& g : current.permissions) {
    if (!g.project_id || !g.user_id || bound_by_id.count(*g.project_id) == 0) continue;
    const auto u = by_id.find(*g.user_id);
    if (u == by_id.end() || u->second->external_provider != ExternalProvider::kGitlab ||
        !u->second->external_id) {
      continue;
    }
    const auto permission = parse_project_permission(g.permission);
    if (!permission) continue;  // not a project permission the sync manages
    granted.emplace_back(*g.project_id, std::stoll(*u->second->external_id), *permission);
  }
  std::sort(granted.begin(), granted.end());
  const auto is_granted = [&](const Grant& g) {
    return std::binary_search(granted.begin(), granted.end(), g);
  };
  std::vector<Grant> wanted;
  std::set<ProjectId> synced_projects;
  // A permission change's audit row is written by apply() from the change and its cause's index
  // (hundreds of thousands with many bound projects): each (role, cause) is described once.
  std::map<std::tuple<std::string, int, int, gl::Id, gl::Id>, std::uint32_t> grant_causes;
  const auto grant_cause = [&](const DesiredPermissions& d) {
    const auto key = std::tuple(d.role, static_cast<int>(d.cause.via), d.cause.level,
                                d.cause.member_of, d.cause.target);
    const auto found = grant_causes.find(key);
    if (found != grant_causes.end()) return found->second;
    const std::uint32_t index =
        intern("role " + d.role + " on GitLab project: " + describe(s, d.cause));
    grant_causes.emplace(key, index);
    return index;
  };
  for (const DesiredPermissions& d : desired.permissions) {
    const auto p = bound.find(d.project);
    if (p == bound.end()) continue;
    for (ProjectPermission perm : d.permissions.list()) {
      wanted.emplace_back(p->second->id, d.user, perm);
      if (is_granted(wanted.back())) continue;
      c.permissions_to_grant.push_back({p->second->id, user_ref.at(d.user), perm, grant_cause(d)});
      ++n.permissions_granted;
      synced_projects.insert(p->second->id);
    }
  }
  std::sort(wanted.begin(), wanted.end());
  std::uint32_t revoke_cause = 0;
  for (const auto& [project, user, permission] : granted) {
    if (std::binary_search(wanted.begin(), wanted.end(), Grant{project, user, permission})) {
      continue;
    }
    if (revoke_cause == 0)
      revoke_cause = intern("the user's GitLab role on the project does not give it");
    const auto u = by_gitlab_id.at(user);
    c.permissions_to_revoke.push_back({project, RowRef::of_id(u->id), permission, revoke_cause});
    ++n.permissions_revoked;
    synced_projects.insert(project);
  }
  granted = {};
  wanted = {};
  // A user who holds nothing loses the permissions the comparison above does not see: on other
  // projects, and global ones. A user reactivated now starts again from what GitLab gives.
  std::uint32_t restart_cause = 0;
  for (const PermissionGrant& g : current.permissions) {
    if (!g.user_id) continue;
    std::uint32_t cause = deactivated_cause;
    if (stripped.count(*g.user_id) == 0) {
      if (reactivated.count(*g.user_id) == 0) continue;
      if (restart_cause == 0) {
        restart_cause = intern(
            "the user was reactivated: a reactivated user starts from sonar-users and what "
            "GitLab gives");
      }
      cause = restart_cause;
    }
    if (!g.project_id) {
      c.global_permissions_to_revoke.push_back({RowRef::of_id(*g.user_id), g.permission, cause});
      ++n.permissions_revoked;
      continue;
    }
    if (bound_by_id.count(*g.project_id) != 0) continue;  // compared above
    const auto permission = parse_project_permission(g.permission);
    if (!permission) continue;
    c.permissions_to_revoke.push_back(
        {*g.project_id, RowRef::of_id(*g.user_id), *permission, cause});
    ++n.permissions_revoked;
  }
  for (const auto& [gitlab_project, visibility] : desired.visibilities) {
    const auto p = bound.find(gitlab_project);
    if (p == bound.end() || p->second->visibility == visibility) continue;
    c.visibilities.push_back({p->second->id, visibility});
    b.audit("project.visibility", "project", p->second->key,
            std::string(to_string(p->second->visibility)), std::string(to_string(visibility)),
            "the GitLab project is " + s.projects.at(gitlab_project).visibility);
    ++n.visibilities_changed;
  }
  n.projects_synced = static_cast<std::int64_t>(synced_projects.size());

  // ---- the guard
  const double share = managed_active == 0 ? 0.0
                                           : static_cast<double>(n.users_deactivated) /
                                                 static_cast<double>(managed_active);
  if (n.users_deactivated > guard.max_deactivated ||
      (n.users_deactivated > 0 && share > guard.max_deactivated_share)) {
    b.plan.held = "The plan would deactivate " + std::to_string(n.users_deactivated) + " of " +
                  std::to_string(managed_active) + " managed users, more than the guard allows (" +
                  std::to_string(static_cast<int>(guard.max_deactivated_share * 100)) + "% or " +
                  std::to_string(guard.max_deactivated) +
                  "). Check the GitLab configuration, then confirm this plan to apply it.";
  }
  if (!b.plan.held && leaves_no_administrator(current, c)) {
    b.plan.held =
        "The plan would leave no active user holding the global permission Administer System "
        "(it removes the last ones: deactivated, or provisioned users leaving a local group "
        "that holds it). Give that permission to a user who stays, such as the built-in admin, "
        "then synchronize again.";
  }
  if (!b.plan.held) {
    std::map<ProjectId, int> admins_before, admins_removed;
    std::set<std::pair<ProjectId, UserId>> revoked_admin;
    for (const auto& r : c.permissions_to_revoke) {
      if (r.permission == ProjectPermission::kAdmin)
        revoked_admin.emplace(r.project_id, r.user.id());
    }
    std::set<GroupId> deleted(c.groups_to_delete.begin(), c.groups_to_delete.end());
    for (const PermissionGrant& g : current.permissions) {
      if (!g.project_id || g.permission != "admin" || bound_by_id.count(*g.project_id) == 0) {
        continue;
      }
      ++admins_before[*g.project_id];
      if ((g.user_id && revoked_admin.count({*g.project_id, *g.user_id}) != 0) ||
          (g.group_id && deleted.count(*g.group_id) != 0)) {
        ++admins_removed[*g.project_id];
      }
    }
    std::set<ProjectId> gains_admin;
    for (const auto& g : c.permissions_to_grant) {
      if (g.permission == ProjectPermission::kAdmin) gains_admin.insert(g.project_id);
    }
    for (const auto& [project, before] : admins_before) {
      if (before > 0 && admins_removed[project] == before && gains_admin.count(project) == 0) {
        b.plan.held = "The plan would leave the project " + bound_by_id.at(project)->key +
                      " without anyone holding its Administer permission. Check its members "
                      "in GitLab, then confirm this plan to apply it.";
        break;
      }
    }
  }
  // ---- what this run covers, changed or not (the seed's statistics)
  const auto bound_in_scope =
      std::count_if(current.projects.begin(), current.projects.end(), [&](const Project& p) {
        return p.gitlab_project_id && desired.projects_in_scope.count(*p.gitlab_project_id) != 0;
      });
  n.totals = SyncTotals{static_cast<std::int64_t>(desired.users.size()),
                        static_cast<std::int64_t>(desired.groups.size()), bound_in_scope};
  return std::move(b.plan);
}

}  // namespace provisio
