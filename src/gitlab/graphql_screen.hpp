#pragma once
// What GraphQL member lists cannot say, learned once per sync in one GraphQL request: which
// access levels may hide a custom role, and which users may have a membership awaiting a seat
// (docs/gitlab-graphql.md "What GraphQL cannot tell"). Per root group:
//
//   custom roles   the roles in use (membersCount > 0) and their base levels: the instance's
//                  (Query.memberRoles, GitLab Self-Managed) and the root group's
//                  (Group.memberRoles, GitLab.com, trusted only when the token's user is at
//                  least a Guest of the root: below that GitLab answers an empty list, not an
//                  error). A member whose level is not one of them has no custom role (GitLab
//                  keeps a member's level equal to its role's base level).
//   awaiting       Group.pendingMembers of the root: the users awaiting a seat (or invited),
//                  anywhere in the root's groups and projects. Owners and administrators only.
//
// A GitLab without these fields in its schema (GitLab FOSS: no custom roles, no awaiting state)
// gives known and empty answers. Anything not learned is "unknown": the caller reads those
// roots' members over REST.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/gitlab_types.hpp"
#include "gitlab/client.hpp"

namespace provisio::gitlab {

struct RootScreen {
  bool roles_known = false;
  std::set<int> role_levels;  // base levels of the custom roles in use (instance's included)
  bool awaiting_known = false;
  std::set<gl::Id> awaiting_users;  // users with a pending membership under the root

  // True when a member `user` at `level` is exactly what GraphQL says it is.
  bool exact(gl::Id user, int level) const {
    return roles_known && awaiting_known && role_levels.count(level) == 0 &&
           awaiting_users.count(user) == 0;
  }
};

struct MemberScreen {
  std::map<std::string, RootScreen> roots;  // by root full path
  std::int64_t requests = 0;
};

// One request (two when the schema lacks a field and it is asked again without it). Fails only
// when the GraphQL API cannot be used (see read_members_graphql).
Result<MemberScreen> screen_members(Client& client, const std::vector<std::string>& root_paths);

}  // namespace provisio::gitlab
