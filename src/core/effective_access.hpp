#pragma once
// GitLab's effective access, computed locally from direct memberships (CONTRACT.md §5.2 and
// GitLab's member finders): a user's access to a group comes from a direct membership, from a
// membership of an ancestor (inherited), or from being a direct member of a group invited into
// the group or one of its ancestors (capped at the share's level). A project adds its own direct
// members, everything its namespace group gives, and the groups invited into the project (whose
// members and ancestors' members count, capped). The highest level wins. Expired memberships and
// shares (expiry on or before today) and "awaiting" members count for nothing; minimal access
// (5) grants no membership. One resolver serves the full sync, the partial syncs and explain.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/snapshot.hpp"

namespace provisio::access {

enum class Via {
  kDirect,        // a direct member of the group or project
  kInherited,     // a direct member of an ancestor group
  kGroupShare,    // a direct member of a group invited into the group (or an ancestor)
  kProjectShare,  // a member of a group invited into the project (or of that group's ancestor)
};

// One way a user reaches a group or project.
struct Path {
  Via via = Via::kDirect;
  int level = 0;           // the access it gives, after any cap
  int member_level = 0;    // the level of the membership itself, before the cap
  gl::Id member_of = 0;    // the group whose membership it is (0 for a project's own member)
  gl::Id invited = 0;      // for shares: the group that was invited
  gl::Id shared_into = 0;  // for shares: the group or project it was invited into
  int cap = 0;             // for shares: the share's level
  // Kept unless the cap lowered the level. Points into the snapshot's membership, which outlives
  // every path (a copy of the name in each of millions of paths cost a third of their size).
  const gl::CustomRoleRef* custom_role = nullptr;
  bool from_outside = false;  // the membership is in a group outside the allowed roots
};

// A user's access to one group or project: the best path (highest level; on a tie, a custom role
// wins, since a custom role holds its base role's rights and more).
struct Access {
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;
  int level = 0;
  Path best;
  bool inside = false;  // some path starts inside the allowed roots
  // Left to the caller and inherited with the rest: the resolver keeps the user's index among the
  // users it met here, so the millions of inherited entries need no lookup by GitLab id.
  std::uint32_t slot = kNoSlot;
};

// Every user's access to one group or project, in increasing GitLab user id. Flat, not a hash
// map: the resolver builds one per group from its parent's (a subgroup inherits every member of
// its ancestors), millions of entries on a large GitLab, and walks each in order.
class AccessMap {
 public:
  using Entry = std::pair<gl::Id, Access>;
  using iterator = std::vector<Entry>::iterator;
  using const_iterator = std::vector<Entry>::const_iterator;

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const_iterator find(gl::Id user) const;  // end() when the user has no access
  std::size_t count(gl::Id user) const { return find(user) == end() ? 0 : 1; }
  const Access& at(gl::Id user) const;  // std::out_of_range when the user has no access

 private:
  friend class AccessBuilder;
  std::vector<Entry> entries_;
};

// True when a membership counts today (not expired, not awaiting).
bool counts(const gl::Member& m, const gl::Date& today);

// Access to `group` given the access to its parent (null for a root): every user with level >= 5.
AccessMap group_access(const Snapshot& s, gl::Id group, const AccessMap* parent);

// Access to `project` given the access to its namespace group (null for a personal project).
AccessMap project_access(const Snapshot& s, const gl::Project& project,
                         const AccessMap* namespace_access);

// Only what a project adds to its namespace group's access: its direct members and the groups
// invited into it. Enough to learn who a project reaches without copying the group's map.
AccessMap project_own_access(const Snapshot& s, const gl::Project& project);

// Every path by which `user` reaches a group or a project, best first: for explain.
std::vector<Path> group_paths(const Snapshot& s, gl::Id group, gl::Id user);
std::vector<Path> project_paths(const Snapshot& s, const gl::Project& project, gl::Id user);

// "direct member (Developer)", "inherited from acme (Maintainer)", "member of outside/team
// invited into acme/web (Developer, capped at Reporter)", ...
std::string describe(const Snapshot& s, const Path& path);

// "Guest", "Planner", ..., "Owner"; "Minimal access"; the number for levels GitLab may add.
std::string level_name(int level);

}  // namespace provisio::access
