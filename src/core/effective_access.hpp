#pragma once
// GitLab's effective access, computed locally from direct memberships (CONTRACT.md §5.2 and
// GitLab's member finders): a user's access to a group comes from a direct membership, from a
// membership of an ancestor (inherited), or from being a direct member of a group invited into
// the group or one of its ancestors (capped at the share's level). A project adds its own direct
// members, everything its namespace group gives, and the groups invited into the project (whose
// members and ancestors' members count, capped). The highest level wins. Expired memberships and
// shares (expiry on or before today) and "awaiting" members count for nothing; minimal access
// (5) grants no membership. One resolver serves the full sync, the partial syncs and explain.

#include <optional>
#include <string>
#include <unordered_map>
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
  std::optional<gl::CustomRoleRef> custom_role;  // kept unless the cap lowered the level
  bool from_outside = false;  // the membership is in a group outside the allowed roots
};

// A user's access to one group or project: the best path (highest level; on a tie, a custom role
// wins, since a custom role holds its base role's rights and more).
struct Access {
  int level = 0;
  Path best;
  bool inside = false;  // some path starts inside the allowed roots
};

using AccessMap = std::unordered_map<gl::Id, Access>;  // by GitLab user id

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
