#include "core/effective_access.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace provisio::access {
namespace {

constexpr int kMinimal = static_cast<int>(AccessLevel::kMinimalAccess);

// Ties go to a custom role, then to the nearest kind of path, then to the lowest group id, so
// the same input always gives the same answer.
bool better(const Path& a, const Path& b) {
  const auto key = [](const Path& p) {
    return std::make_tuple(p.level, p.custom_role != nullptr ? 1 : 0, -static_cast<int>(p.via),
                           -p.member_of);
  };
  return key(a) > key(b);
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
  p.custom_role = m.member_role ? &*m.member_role : nullptr;
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
  if (m.access_level <= cap && m.member_role) p.custom_role = &*m.member_role;
  p.from_outside = outside;
  return p;
}

// What a path of the parent (or of the namespace group) becomes one level down.
Path inherited(Path p) {
  if (p.via == Via::kDirect) p.via = Via::kInherited;
  return p;
}

}  // namespace

// Gathers the paths a group or project adds, then merges them with what it inherits (the
// parent's or the namespace group's map, both in user order) into a new map.
class AccessBuilder {
 public:
  void offer(gl::Id user, const Path& path) { offers_.push_back({user, path}); }

  AccessMap build(const AccessMap* inherited_from) {
    // Stable: a user's paths are weighed in the order they were offered, as one by one.
    std::stable_sort(offers_.begin(), offers_.end(),
                     [](const Offer& a, const Offer& b) { return a.user < b.user; });
    AccessMap out;
    const AccessMap none;
    const AccessMap& base = inherited_from != nullptr ? *inherited_from : none;
    out.entries_.reserve(base.size() + offers_.size());
    auto b = base.begin();
    auto o = offers_.begin();
    while (b != base.end() || o != offers_.end()) {
      const gl::Id user =
          b == base.end() ? o->user : (o == offers_.end() ? b->first : std::min(b->first, o->user));
      AccessMap::Entry& e = out.entries_.emplace_back();
      e.first = user;
      bool have = false;
      if (b != base.end() && b->first == user) {
        e.second = b->second;
        if (e.second.best.via == Via::kDirect) e.second.best.via = Via::kInherited;
        have = true;
        ++b;
      }
      for (; o != offers_.end() && o->user == user; ++o) {
        Access& a = e.second;
        if (!have || better(o->path, a.best)) {
          a.best = o->path;
          a.level = o->path.level;
        }
        a.inside = a.inside || !o->path.from_outside;
        have = true;
      }
    }
    return out;
  }

 private:
  struct Offer {
    gl::Id user = 0;
    Path path;
  };
  std::vector<Offer> offers_;
};

namespace {

void add_direct_members(const Snapshot& s, gl::Id group, AccessBuilder& out) {
  const bool outside = !s.in_scope(group);
  for (const gl::Member& m : members_of(s.group_members, group)) {
    if (counts(m, s.today) && m.access_level >= kMinimal) {
      out.offer(m.user_id, direct_path(m, group, outside));
    }
  }
}

void add_group_shares(const Snapshot& s, const gl::Group& group, AccessBuilder& out) {
  for (const gl::Share& share : group.shared_with_groups) {
    if (!share_counts(share, s.today)) continue;
    const bool outside = !s.in_scope(share.group_id);
    // Only the invited group's direct members: GitLab's shared_from_groups relation.
    for (const gl::Member& m : members_of(s.group_members, share.group_id)) {
      if (!counts(m, s.today) || m.access_level <= kMinimal) continue;
      out.offer(m.user_id, shared_path(m, Via::kGroupShare, share.group_id, share.group_id,
                                       group.id, share.group_access_level, outside));
    }
  }
}

void add_project_shares(const Snapshot& s, const gl::Project& project, AccessBuilder& out) {
  for (const gl::Share& share : project.shared_with_groups) {
    if (!share_counts(share, s.today)) continue;
    // The invited group's members and its ancestors' members: the project's invited_groups
    // relation counts inherited members of the invited group.
    for (gl::Id g = share.group_id; g != 0;) {
      const bool outside = !s.in_scope(g);
      for (const gl::Member& m : members_of(s.group_members, g)) {
        if (!counts(m, s.today) || m.access_level <= kMinimal) continue;
        out.offer(m.user_id, shared_path(m, Via::kProjectShare, g, share.group_id, project.id,
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

AccessMap::const_iterator AccessMap::find(gl::Id user) const {
  const auto it = std::lower_bound(entries_.begin(), entries_.end(), user,
                                   [](const Entry& e, gl::Id id) { return e.first < id; });
  return it != entries_.end() && it->first == user ? it : entries_.end();
}

const Access& AccessMap::at(gl::Id user) const {
  const auto it = find(user);
  if (it == end()) throw std::out_of_range("no access for user " + std::to_string(user));
  return it->second;
}

bool counts(const gl::Member& m, const gl::Date& today) {
  if (m.membership_state == "awaiting") return false;
  return !m.expires_at || *m.expires_at > today;
}

AccessMap group_access(const Snapshot& s, gl::Id group, const AccessMap* parent) {
  AccessBuilder out;
  add_direct_members(s, group, out);
  if (const auto it = s.groups.find(group); it != s.groups.end()) {
    add_group_shares(s, it->second, out);
  }
  return out.build(parent);
}

AccessMap project_access(const Snapshot& s, const gl::Project& project,
                         const AccessMap* namespace_access) {
  AccessBuilder out;
  for (const gl::Member& m : members_of(s.project_members, project.id)) {
    if (counts(m, s.today) && m.access_level > kMinimal) {
      out.offer(m.user_id, direct_path(m, 0, false));
    }
  }
  add_project_shares(s, project, out);
  return out.build(namespace_access);
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
