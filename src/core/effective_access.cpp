#include "core/effective_access.hpp"

#include <algorithm>
#include <tuple>

namespace provisio::access {
namespace {

constexpr int kMinimal = static_cast<int>(AccessLevel::kMinimalAccess);

// Ties go to a custom role, then to the nearest kind of path, then to the lowest group id, so
// the same input always gives the same answer.
bool better(const Path& a, const Path& b) {
  const auto key = [](const Path& p) {
    return std::make_tuple(p.level, p.custom_role.has_value() ? 1 : 0, -static_cast<int>(p.via),
                           -p.member_of);
  };
  return key(a) > key(b);
}

void offer(AccessMap& map, gl::Id user, const Path& path) {
  auto [it, inserted] = map.try_emplace(user);
  Access& a = it->second;
  if (inserted || better(path, a.best)) {
    a.best = path;
    a.level = path.level;
  }
  a.inside = a.inside || !path.from_outside;
}

const std::vector<gl::Member>& members_of(
    const std::map<gl::Id, std::vector<gl::Member>>& by_source, gl::Id id) {
  static const std::vector<gl::Member> kNone;
  const auto it = by_source.find(id);
  return it == by_source.end() ? kNone : it->second;
}

bool share_counts(const gl::Share& share, const gl::Date& today) {
  return !share.expires_at || *share.expires_at > today;
}

Path direct_path(const gl::Member& m, gl::Id group, bool outside) {
  Path p;
  p.via = Via::kDirect;
  p.level = m.access_level;
  p.member_level = m.access_level;
  p.member_of = group;
  p.custom_role = m.member_role;
  p.from_outside = outside;
  return p;
}

Path shared_path(const gl::Member& m, Via via, gl::Id member_of, gl::Id invited, gl::Id shared_into,
                 int cap, bool outside) {
  Path p;
  p.via = via;
  p.invited = invited;
  p.member_level = m.access_level;
  p.level = std::min(m.access_level, cap);
  p.member_of = member_of;
  p.shared_into = shared_into;
  p.cap = cap;
  // A custom role survives a share only when the share does not lower the level.
  if (m.access_level <= cap) p.custom_role = m.member_role;
  p.from_outside = outside;
  return p;
}

// What a path of the parent (or of the namespace group) becomes one level down.
Path inherited(Path p) {
  if (p.via == Via::kDirect) p.via = Via::kInherited;
  return p;
}

void add_direct_members(const Snapshot& s, gl::Id group, AccessMap& out) {
  const bool outside = !s.in_scope(group);
  for (const gl::Member& m : members_of(s.group_members, group)) {
    if (counts(m, s.today) && m.access_level >= kMinimal) {
      offer(out, m.user_id, direct_path(m, group, outside));
    }
  }
}

void add_group_shares(const Snapshot& s, const gl::Group& group, AccessMap& out) {
  for (const gl::Share& share : group.shared_with_groups) {
    if (!share_counts(share, s.today)) continue;
    const bool outside = !s.in_scope(share.group_id);
    // Only the invited group's direct members: GitLab's shared_from_groups relation.
    for (const gl::Member& m : members_of(s.group_members, share.group_id)) {
      if (!counts(m, s.today) || m.access_level <= kMinimal) continue;
      offer(out, m.user_id,
            shared_path(m, Via::kGroupShare, share.group_id, share.group_id, group.id,
                        share.group_access_level, outside));
    }
  }
}

void add_project_shares(const Snapshot& s, const gl::Project& project, AccessMap& out) {
  for (const gl::Share& share : project.shared_with_groups) {
    if (!share_counts(share, s.today)) continue;
    // The invited group's members and its ancestors' members: the project's invited_groups
    // relation counts inherited members of the invited group.
    for (gl::Id g = share.group_id; g != 0;) {
      const bool outside = !s.in_scope(g);
      for (const gl::Member& m : members_of(s.group_members, g)) {
        if (!counts(m, s.today) || m.access_level <= kMinimal) continue;
        offer(out, m.user_id,
              shared_path(m, Via::kProjectShare, g, share.group_id, project.id,
                          share.group_access_level, outside));
      }
      const auto it = s.groups.find(g);
      g = (it != s.groups.end() && it->second.parent_id) ? *it->second.parent_id : 0;
    }
  }
}

std::vector<Path> sorted_paths(std::vector<Path> paths) {
  std::sort(paths.begin(), paths.end(), better);
  return paths;
}

}  // namespace

bool counts(const gl::Member& m, const gl::Date& today) {
  if (m.membership_state == "awaiting") return false;
  return !m.expires_at || *m.expires_at > today;
}

AccessMap group_access(const Snapshot& s, gl::Id group, const AccessMap* parent) {
  AccessMap out;
  if (parent != nullptr) {
    out.reserve(parent->size() + 16);
    for (const auto& [user, a] : *parent) {
      Access copy = a;
      copy.best = inherited(a.best);
      out.emplace(user, copy);
    }
  }
  add_direct_members(s, group, out);
  if (const auto it = s.groups.find(group); it != s.groups.end()) {
    add_group_shares(s, it->second, out);
  }
  return out;
}

AccessMap project_access(const Snapshot& s, const gl::Project& project,
                         const AccessMap* namespace_access) {
  AccessMap out;
  if (namespace_access != nullptr) {
    out.reserve(namespace_access->size() + 16);
    for (const auto& [user, a] : *namespace_access) {
      Access copy = a;
      copy.best = inherited(a.best);
      out.emplace(user, copy);
    }
  }
  for (const gl::Member& m : members_of(s.project_members, project.id)) {
    if (counts(m, s.today) && m.access_level > kMinimal) {
      offer(out, m.user_id, direct_path(m, 0, false));
    }
  }
  add_project_shares(s, project, out);
  return out;
}

AccessMap project_own_access(const Snapshot& s, const gl::Project& project) {
  return project_access(s, project, nullptr);
}

std::vector<Path> group_paths(const Snapshot& s, gl::Id group, gl::Id user) {
  std::vector<Path> out;
  bool first = true;
  for (gl::Id g = group; g != 0; first = false) {
    const auto it = s.groups.find(g);
    const bool outside = !s.in_scope(g);
    for (const gl::Member& m : members_of(s.group_members, g)) {
      if (m.user_id == user && counts(m, s.today) && m.access_level >= kMinimal) {
        Path p = direct_path(m, g, outside);
        out.push_back(first ? p : inherited(p));
      }
    }
    if (it != s.groups.end()) {
      for (const gl::Share& share : it->second.shared_with_groups) {
        if (!share_counts(share, s.today)) continue;
        for (const gl::Member& m : members_of(s.group_members, share.group_id)) {
          if (m.user_id == user && counts(m, s.today) && m.access_level > kMinimal) {
            out.push_back(shared_path(m, Via::kGroupShare, share.group_id, share.group_id, g,
                                      share.group_access_level, !s.in_scope(share.group_id)));
          }
        }
      }
    }
    g = (it != s.groups.end() && it->second.parent_id) ? *it->second.parent_id : 0;
  }
  return sorted_paths(std::move(out));
}

std::vector<Path> project_paths(const Snapshot& s, const gl::Project& project, gl::Id user) {
  std::vector<Path> out;
  for (const gl::Member& m : members_of(s.project_members, project.id)) {
    if (m.user_id == user && counts(m, s.today) && m.access_level > kMinimal) {
      out.push_back(direct_path(m, 0, false));
    }
  }
  if (project.namespace_kind == "group" && project.namespace_id != 0) {
    for (Path p : group_paths(s, project.namespace_id, user)) {
      if (p.level > kMinimal) out.push_back(inherited(p));
    }
  }
  for (const gl::Share& share : project.shared_with_groups) {
    if (!share_counts(share, s.today)) continue;
    for (gl::Id g = share.group_id; g != 0;) {
      for (const gl::Member& m : members_of(s.group_members, g)) {
        if (m.user_id == user && counts(m, s.today) && m.access_level > kMinimal) {
          out.push_back(shared_path(m, Via::kProjectShare, g, share.group_id, project.id,
                                    share.group_access_level, !s.in_scope(g)));
        }
      }
      const auto it = s.groups.find(g);
      g = (it != s.groups.end() && it->second.parent_id) ? *it->second.parent_id : 0;
    }
  }
  return sorted_paths(std::move(out));
}

std::string level_name(int level) {
  switch (level) {
    case 5:
      return "Minimal access";
    case 10:
      return "Guest";
    case 15:
      return "Planner";
    case 20:
      return "Reporter";
    case 30:
      return "Developer";
    case 40:
      return "Maintainer";
    case 50:
      return "Owner";
    default:
      return "level " + std::to_string(level);
  }
}

std::string describe(const Snapshot& s, const Path& p) {
  const auto group_name = [&](gl::Id id) {
    const auto it = s.groups.find(id);
    return it == s.groups.end() ? "group " + std::to_string(id) : it->second.full_path;
  };
  const auto project_name = [&](gl::Id id) {
    const auto it = s.projects.find(id);
    return it == s.projects.end() ? "project " + std::to_string(id)
                                  : it->second.path_with_namespace;
  };
  std::string role =
      p.custom_role ? "custom role " + p.custom_role->name + " (" + level_name(p.member_level) + ")"
                    : level_name(p.member_level);
  switch (p.via) {
    case Via::kDirect:
      return "direct member (" + role + ")";
    case Via::kInherited:
      return "inherited from " + group_name(p.member_of) + " (" + role + ")";
    case Via::kGroupShare:
    case Via::kProjectShare: {
      const std::string into =
          p.via == Via::kGroupShare ? group_name(p.shared_into) : project_name(p.shared_into);
      std::string out = "member of " + group_name(p.member_of);
      if (p.invited != p.member_of) out += ", whose subgroup " + group_name(p.invited) + " is";
      out += " invited into " + into + " (" + role;
      if (p.level < p.member_level) out += ", capped at " + level_name(p.cap);
      return out + ")";
    }
  }
  return "unknown";
}

}  // namespace provisio::access
