#include "core/desired_state.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <unordered_map>

namespace provisio {
namespace {

constexpr int kGuest = static_cast<int>(AccessLevel::kGuest);
constexpr int kMinimal = static_cast<int>(AccessLevel::kMinimalAccess);

Cause cause_of(const access::Access& a, gl::Id target, bool on_project) {
  return Cause{a.best.via, a.level, a.best.member_of, target, on_project};
}

// What we learn about a user while walking the tree.
struct Seen {
  gl::Id id = 0;
  std::string username, name, state = "active";
  std::optional<std::string> email;
  Cause cause;
};

// What every membership may change about its user, apart from the rest: the walk visits each of
// the millions of memberships, and these stay in cache (8 bytes a user).
struct SeenLevel {
  int best_level = 0;
  bool in_a_group = false;  // guest or more on some group
  bool inside = false;      // some path starts inside the allowed roots
};

// The users met so far, each with a dense index that memberships refer to until the
// provisioned users are known.
struct SeenUsers {
  std::vector<Seen> list;
  std::vector<SeenLevel> levels;  // beside `list`
  std::unordered_map<gl::Id, std::uint32_t> index;
};

// Records `a` (the user's access to `target`) and returns the user's index. Sets a.slot, so the
// entries a subgroup inherits from this one find the user without a lookup.
std::uint32_t learn(SeenUsers& seen, const Snapshot& s,
                    const std::unordered_map<gl::Id, const gl::Member*>& member_index, gl::Id user,
                    access::Access& a, gl::Id target, bool on_project) {
  if (a.slot == access::Access::kNoSlot) {
    const auto [it, inserted] =
        seen.index.try_emplace(user, static_cast<std::uint32_t>(seen.list.size()));
    a.slot = it->second;
    if (inserted) {
      Seen& u = seen.list.emplace_back();
      seen.levels.emplace_back();
      u.id = user;
      if (const auto m = member_index.find(user); m != member_index.end()) {
        u.username = m->second->username;
        u.name = m->second->name;
        u.state = m->second->state;
        u.email = m->second->email;
      }
      if (const auto d = s.users.find(user); d != s.users.end()) {
        u.username = d->second.username;
        u.name = d->second.name;
        u.state = d->second.state;
        if (d->second.email) {
          u.email = d->second.email;
        } else if (d->second.public_email) {
          u.email = d->second.public_email;
        }
      }
    }
  }
  SeenLevel& l = seen.levels[a.slot];
  if (a.level > l.best_level) {
    l.best_level = a.level;
    seen.list[a.slot].cause = cause_of(a, target, on_project);
  }
  if (!on_project && a.level >= kMinimal) l.in_a_group = true;
  if (a.inside) l.inside = true;
  return a.slot;
}

}  // namespace

std::optional<RoleMapping> mapping_for(const std::vector<RoleMapping>& mappings, int level,
                                       const gl::CustomRoleRef* custom_role) {
  if (custom_role) {
    for (const RoleMapping& m : mappings) {
      if (m.role == custom_role->name && !m.is_base()) return m;
    }
  }
  const auto access = access_level_from_int(level);
  const auto name = access ? base_role_name(*access) : std::nullopt;
  if (!name) return std::nullopt;
  for (const RoleMapping& m : mappings) {
    if (m.role == *name) return m;
  }
  return std::nullopt;
}

DesiredState desired_state(const Snapshot& s, const std::set<gl::Id>& bound_projects,
                           const std::vector<RoleMapping>& mappings,
                           const ProvisioningRules& rules) {
  DesiredState out;
  // Where each user's name and state can be read: any of their membership rows.
  std::unordered_map<gl::Id, const gl::Member*> member_index;
  for (const auto* by_source : {&s.group_members, &s.project_members}) {
    for (const auto& [source, members] : *by_source) {
      for (const gl::Member& m : members) member_index.try_emplace(m.user_id, &m);
    }
  }
  std::map<gl::Id, std::vector<gl::Id>> children;
  for (const gl::Id id : s.groups_in_scope) {
    const gl::Group& g = s.groups.at(id);
    if (g.parent_id && s.in_scope(*g.parent_id)) children[*g.parent_id].push_back(id);
  }
  std::map<gl::Id, std::vector<const gl::Project*>> projects_of;
  for (const auto& [id, p] : s.projects) {
    if (p.namespace_kind == "group" && s.in_scope(p.namespace_id)) {
      projects_of[p.namespace_id].push_back(&p);
    }
  }

  SeenUsers seen;
  // A membership's cause names its group (the target), so a cause is shared only within a group;
  // a group has few (a level for each ancestor and invited group that gives it), so they are
  // found by a scan of the group's own, from the last one used.
  std::vector<std::uint32_t> group_causes;  // indices into out.membership_causes
  std::size_t last_cause = 0;
  const auto membership_cause = [&](const access::Access& a, gl::Id group) {
    const auto same = [&](std::uint32_t index) {
      const Cause& c = out.membership_causes[index];
      return c.via == a.best.via && c.level == a.level && c.member_of == a.best.member_of;
    };
    if (last_cause < group_causes.size() && same(group_causes[last_cause])) {
      return group_causes[last_cause];
    }
    for (std::size_t i = 0; i < group_causes.size(); ++i) {
      if (same(group_causes[i])) {
        last_cause = i;
        return group_causes[i];
      }
    }
    last_cause = group_causes.size();
    group_causes.push_back(static_cast<std::uint32_t>(out.membership_causes.size()));
    out.membership_causes.push_back(cause_of(a, group, false));
    return group_causes.back();
  };
  // Permissions on bound projects are decided as each project is visited (the mapping and the
  // cause, not the whole access path, which holds strings): with many bound projects there are
  // hundreds of thousands. Those of users who turn out not to be provisioned are dropped below.
  const auto want_permissions = [&](gl::Id project, gl::Id user, const access::Access& a) {
    const auto mapping = mapping_for(mappings, a.level, a.best.custom_role);
    if (!mapping || !mapping->permissions.any()) return;
    out.permissions.push_back(
        {project, user, mapping->permissions, mapping->role, cause_of(a, project, true)});
  };

  // Depth first: only the access maps of the current branch are alive at once.
  std::function<void(gl::Id, const access::AccessMap*)> visit =
      [&](gl::Id group, const access::AccessMap* parent) {
        access::AccessMap here = access::group_access(s, group, parent);
        DesiredGroup& mirrored = out.groups.emplace_back();
        mirrored.gitlab_id = group;
        mirrored.full_path = s.groups.at(group).full_path;
        // Members by their index among the users seen, until the provisioned ones are known.
        mirrored.members.reserve(here.size());
        group_causes.clear();
        last_cause = 0;
        for (auto& [user, a] : here) {
          const std::uint32_t index = learn(seen, s, member_index, user, a, group, false);
          if (a.level >= kGuest) mirrored.members.push_back({index, membership_cause(a, group)});
        }
        for (const gl::Project* p : projects_of[group]) {
          out.projects_in_scope.insert(p->id);
          // Only bound projects need every member's access; for the others, what the project
          // adds to its group's access tells whom it reaches (the rest is in `here`).
          const bool bound = bound_projects.count(p->id) != 0;
          access::AccessMap on_project =
              bound ? access::project_access(s, *p, &here) : access::project_own_access(s, *p);
          for (auto& [user, a] : on_project) {
            learn(seen, s, member_index, user, a, p->id, true);
            if (bound && a.level >= kGuest) want_permissions(p->id, user, a);
          }
          if (bound) {
            out.visibilities.emplace_back(
                p->id, p->visibility == "public" ? Visibility::kPublic : Visibility::kPrivate);
          }
        }
        for (const gl::Id child : children[group]) visit(child, &here);
      };
  for (const gl::Id root : s.roots) {
    if (s.in_scope(root)) visit(root, nullptr);
  }

  // Who is provisioned.
  std::set<gl::Id> provisioned;
  int bots = 0, inactive = 0, outside = 0, project_only = 0, minimal = 0, no_email = 0;
  for (std::size_t i = 0; i < seen.list.size(); ++i) {
    const Seen& u = seen.list[i];
    const SeenLevel& l = seen.levels[i];
    const gl::Id user = u.id;
    const bool bot = is_bot(u.username, s.users.count(user) ? s.users.at(user).bot : false);
    if (l.best_level < kGuest && !(rules.include_minimal_access && l.best_level >= kMinimal)) {
      ++minimal;
      continue;
    }
    if (bot && !rules.include_bots) {
      ++bots;
      continue;
    }
    if (u.state != "active" && !rules.include_inactive) {
      ++inactive;
      continue;
    }
    if (!l.inside && !rules.include_outside_invited) {
      ++outside;
      continue;
    }
    if (!l.in_a_group && !rules.include_project_only_members) {
      ++project_only;
      continue;
    }
    provisioned.insert(user);
    if (!u.email) ++no_email;
    out.users.push_back({user, u.username, u.name.empty() ? u.username : u.name, u.email, u.cause});
  }
  std::sort(out.users.begin(), out.users.end(),
            [](const DesiredUser& a, const DesiredUser& b) { return a.gitlab_id < b.gitlab_id; });
  std::sort(out.groups.begin(), out.groups.end(),
            [](const DesiredGroup& a, const DesiredGroup& b) { return a.gitlab_id < b.gitlab_id; });

  // Members: from seen index to provisioned user index (sorted by GitLab id), others dropped.
  constexpr std::uint32_t kNotProvisioned = UINT32_MAX;
  std::vector<std::uint32_t> user_index(seen.list.size(), kNotProvisioned);
  for (std::size_t i = 0; i < out.users.size(); ++i) {
    user_index[seen.index.at(out.users[i].gitlab_id)] = static_cast<std::uint32_t>(i);
  }
  for (DesiredGroup& g : out.groups) {
    for (DesiredMember& m : g.members) m.user = user_index[m.user];
    std::erase_if(g.members, [](const DesiredMember& m) { return m.user == kNotProvisioned; });
    // Already in order when the access maps are walked in user order (they are, today).
    const auto by_user = [](const DesiredMember& a, const DesiredMember& b) {
      return a.user < b.user;
    };
    if (!std::is_sorted(g.members.begin(), g.members.end(), by_user)) {
      std::sort(g.members.begin(), g.members.end(), by_user);
    }
    g.members.shrink_to_fit();
  }

  std::erase_if(out.permissions,
                [&](const DesiredPermissions& p) { return provisioned.count(p.user) == 0; });
  std::sort(out.permissions.begin(), out.permissions.end(),
            [](const DesiredPermissions& a, const DesiredPermissions& b) {
              return std::pair(a.project, a.user) < std::pair(b.project, b.user);
            });
  std::sort(out.visibilities.begin(), out.visibilities.end());

  const auto warn = [&](int n, const std::string& what) {
    if (n > 0) out.warnings.push_back(std::to_string(n) + " " + what);
  };
  warn(bots, "bot users skipped: " + std::string(kBotsNotProvisioned));
  warn(inactive, "blocked or inactive GitLab users skipped");
  warn(outside, "users reached only through groups outside the allowed groups skipped");
  warn(project_only, "users who are members of projects only skipped");
  warn(minimal, "users with minimal access only skipped");
  warn(no_email, "provisioned users without an email visible to the token");
  for (const gl::Id bound : bound_projects) {
    if (out.projects_in_scope.count(bound) == 0) {
      out.warnings.push_back("A project is bound to GitLab project " + std::to_string(bound) +
                             ", which is not in the allowed groups: its permissions were left "
                             "as they are.");
    }
  }
  return out;
}

std::string describe(const Snapshot& s, const Cause& c) {
  const auto group_name = [&](gl::Id id) {
    const auto it = s.groups.find(id);
    return it == s.groups.end() ? "group " + std::to_string(id) : it->second.full_path;
  };
  const std::string level = access::level_name(c.level);
  switch (c.via) {
    case access::Via::kDirect:
      if (c.on_project) {
        const auto it = s.projects.find(c.target);
        return "direct member of project " +
               (it == s.projects.end() ? std::to_string(c.target)
                                       : it->second.path_with_namespace) +
               " (" + level + ")";
      }
      return "direct member of " + group_name(c.target) + " (" + level + ")";
    case access::Via::kInherited:
      return "member of " + group_name(c.member_of) + ", inherited (" + level + ")";
    case access::Via::kGroupShare:
    case access::Via::kProjectShare:
      return "member of " + group_name(c.member_of) + " through an invited group (" + level + ")";
  }
  return "GitLab membership";
}

}  // namespace provisio
