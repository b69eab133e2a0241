#include "core/explain.hpp"

#include <algorithm>

#include "core/effective_access.hpp"

namespace provisio::explain {
namespace {

constexpr int kGuest = static_cast<int>(AccessLevel::kGuest);
constexpr int kMinimal = static_cast<int>(AccessLevel::kMinimalAccess);

std::string group_name(const Snapshot& s, gl::Id id) {
  const auto it = s.groups.find(id);
  return it == s.groups.end() ? "group " + std::to_string(id) : it->second.full_path;
}

// The user's state and bot flag as GitLab reports them: the user's details when read, else any
// of the user's membership rows (which carry the state).
struct Who {
  std::string state = "active";
  bool bot_flag = false;
};

Who who_is(const Snapshot& s, gl::Id user) {
  Who w;
  for (const auto* by_source : {&s.group_members, &s.project_members}) {
    for (const auto& [source, members] : *by_source) {
      for (const gl::Member& m : members) {
        if (m.user_id == user) w.state = m.state;
      }
    }
  }
  if (const auto it = s.users.find(user); it != s.users.end()) {
    w.state = it->second.state;
    w.bot_flag = it->second.bot;
  }
  return w;
}

// Why a user who should be provisioned is not, by the [decided] rules; nothing when the user is.
std::optional<std::string> excluded(const Snapshot& s, gl::Id user, const std::string& username,
                                    const ProvisioningRules& rules) {
  const Who w = who_is(s, user);
  if (!rules.include_bots && is_bot(username, w.bot_flag)) {
    return "GitLab user @" + username + " is a bot: " + std::string(kBotsNotProvisioned) +
           ", so GitLab gives it nothing here.";
  }
  if (!rules.include_inactive && w.state != "active") {
    return "GitLab user @" + username + " is " + w.state +
           " in GitLab: only active users are provisioned, so the next synchronization "
           "deactivates this user.";
  }
  return std::nullopt;
}

// Memberships and shares of the user that count for nothing today, in words.
std::vector<std::string> lapsed(const Snapshot& s, gl::Id user, const std::string& username,
                                const gl::Project* project) {
  std::vector<std::string> out;
  const auto look = [&](const std::vector<gl::Member>& rows, const std::string& where) {
    for (const gl::Member& m : rows) {
      if (m.user_id != user) continue;
      if (m.membership_state == "awaiting") {
        out.push_back("The invitation of @" + username + " to " + where +
                      " is still pending, so it gives nothing yet.");
      } else if (m.expires_at && *m.expires_at <= s.today) {
        out.push_back("The membership of @" + username + " in " + where + " expired on " +
                      *m.expires_at + ".");
      } else if (m.access_level <= kMinimal) {
        out.push_back("@" + username + " has only minimal access to " + where +
                      ", which gives no membership and no permission.");
      }
    }
  };
  for (const auto& [id, rows] : s.group_members) look(rows, group_name(s, id));
  if (project != nullptr) {
    if (const auto it = s.project_members.find(project->id); it != s.project_members.end()) {
      look(it->second, project->path_with_namespace);
    }
  }
  const auto shares = [&](const std::vector<gl::Share>& list, const std::string& into) {
    for (const gl::Share& share : list) {
      if (!share.expires_at || *share.expires_at > s.today) continue;
      out.push_back("The invitation of group " + group_name(s, share.group_id) + " into " + into +
                    " expired on " + *share.expires_at + ".");
    }
  };
  for (const auto& [id, g] : s.groups) {
    if (s.in_scope(id)) shares(g.shared_with_groups, g.full_path);
  }
  if (project != nullptr) shares(project->shared_with_groups, project->path_with_namespace);
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

// Fills paths and best, or the reason there are none; false when there are none.
bool resolve(const Snapshot& s, const std::vector<access::Path>& paths, gl::Id user,
             const std::string& username, const gl::Project* project, const std::string& where,
             const ProvisioningRules& rules, GitlabVerdict& v) {
  for (const access::Path& p : paths) v.paths.push_back(access::describe(s, p));
  if (paths.empty()) {
    const auto why = lapsed(s, user, username, project);
    v.reason = why.empty() ? "GitLab user @" + username + " is not a member of " + where +
                                 ", of a group above it, nor of a group invited into either."
                           : join(why);
    return false;
  }
  const bool inside = std::any_of(paths.begin(), paths.end(),
                                  [](const access::Path& p) { return !p.from_outside; });
  if (!inside && !rules.include_outside_invited) {
    v.reason = "@" + username + " reaches " + where +
               " only through groups outside the allowed groups, and such users are not "
               "provisioned (a setting).";
    return false;
  }
  v.level = paths.front().level;
  v.best = v.paths.front();
  return true;
}

}  // namespace

GitlabVerdict project_verdict(const Snapshot& s, const gl::Project& project, gl::Id user,
                              const std::string& username, const std::vector<RoleMapping>& mappings,
                              const ProvisioningRules& rules) {
  GitlabVerdict v;
  if (project.namespace_kind != "group" || !s.in_scope(project.namespace_id)) {
    v.reason = "The GitLab project " + project.path_with_namespace +
               " is not in the allowed groups: synchronization leaves the permissions of the "
               "project bound to it as they are.";
    return v;
  }
  if (auto why = excluded(s, user, username, rules)) {
    v.reason = std::move(why);
    return v;
  }
  const auto paths = access::project_paths(s, project, user);
  if (!resolve(s, paths, user, username, &project,
               "the GitLab project " + project.path_with_namespace, rules, v)) {
    return v;
  }
  const access::Path& best = paths.front();
  const auto mapping = mapping_for(mappings, v.level, best.custom_role);
  const std::string base = std::string(
      base_role_name(access_level_from_int(v.level).value_or(AccessLevel::kNoAccess)).value_or(""));
  if (best.custom_role) {
    v.mapping_note = mapping && mapping->role == best.custom_role->name
                         ? "custom role " + best.custom_role->name +
                               " is mapped: its own "
                               "permissions apply"
                         : "custom role " + best.custom_role->name +
                               " has no mapping: fell back to its base role " + base;
  } else {
    v.mapping_note = "base role " + base;
  }
  if (!mapping) {
    v.reason = "The access level " + access::level_name(v.level) +
               " is not a GitLab role that the role mapping covers, so it gives no permission.";
    return v;
  }
  v.mapping = mapping->role;
  v.permissions = mapping->permissions;
  if (!v.permissions.any()) {
    v.reason = "The role mapping gives the role " + mapping->role +
               " no permission (change it in the GitLab role mapping to grant some).";
  }
  return v;
}

GitlabVerdict group_verdict(const Snapshot& s, gl::Id group, gl::Id user,
                            const std::string& username, const ProvisioningRules& rules) {
  GitlabVerdict v;
  const std::string where = "the GitLab group " + group_name(s, group);
  if (!s.in_scope(group)) {
    v.reason = "The GitLab group " + group_name(s, group) +
               " is not in the allowed groups, so it is not mirrored.";
    return v;
  }
  if (auto why = excluded(s, user, username, rules)) {
    v.reason = std::move(why);
    return v;
  }
  std::vector<access::Path> paths = access::group_paths(s, group, user);
  const int floor = rules.include_minimal_access ? kMinimal : kGuest;
  std::erase_if(paths, [&](const access::Path& p) { return p.level < floor; });
  resolve(s, paths, user, username, nullptr, where, rules, v);
  return v;
}

std::vector<PermissionLine> permission_lines(const std::optional<GitlabVerdict>& gitlab,
                                             const std::vector<LocalGrant>& local,
                                             bool managed_user) {
  std::vector<PermissionLine> out;
  const bool gitlab_gives = gitlab && !gitlab->reason;
  for (const ProjectPermission p : kAllProjectPermissions) {
    PermissionLine line;
    line.permission = std::string(to_string(p));
    line.from_gitlab = gitlab_gives && gitlab->permissions.has(p);
    if (line.from_gitlab) {
      line.why.push_back("GitLab role " + gitlab->mapping + " (" + gitlab->mapping_note +
                         "): " + gitlab->best);
    }
    for (const LocalGrant& g : local) {
      if (g.permission != line.permission) continue;
      line.held = true;
      if (g.group) {
        line.why.push_back("granted to the group " + *g.group + ", of which the user is a member");
      } else if (!managed_user) {
        line.why.push_back("granted by hand to the user");
      } else if (!line.from_gitlab) {
        line.why.push_back(gitlab ? "granted to the user, but GitLab no longer gives it: the next "
                                    "synchronization revokes it"
                                  : "granted to the user");
      }
    }
    if (line.from_gitlab && !line.held) {
      line.why.push_back("not held yet: the next synchronization grants it");
    }
    if (line.held || line.from_gitlab) out.push_back(std::move(line));
  }
  return out;
}

}  // namespace provisio::explain
