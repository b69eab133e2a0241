#pragma once
// A complete, immutable view of the GitLab side that a sync needs: the allowed root groups and
// everything below them, every direct membership, the shares, and the groups invited from
// outside. Read by the gitlab client, resolved by the pure rules. A snapshot is complete or it
// does not exist: the sync never works from a partial one.

#include <map>
#include <set>
#include <vector>

#include "core/gitlab_types.hpp"

namespace provisio {

struct Snapshot {
  std::vector<gl::Id> roots;  // the allowed root groups
  // Every group read: those in scope (the roots and their descendants, with their shares) and
  // the groups invited into them from outside (with the ancestors of groups invited into
  // projects, whose members count too).
  std::map<gl::Id, gl::Group> groups;
  std::set<gl::Id> groups_in_scope;
  std::map<gl::Id, std::vector<gl::Member>> group_members;    // direct members, by group
  std::map<gl::Id, gl::Project> projects;                     // projects in scope
  std::map<gl::Id, std::vector<gl::Member>> project_members;  // direct members, by project
  std::map<gl::Id, gl::User> users;  // details of users, when read (bot flag, email)
  gl::Date today;                    // "2026-11-28": memberships expiring on or before it are gone
  std::int64_t gitlab_requests = 0;  // what reading it cost
  // How the member lists were read, for the log: "GraphQL for 22,104 of 22,108 member lists
  // (4 over REST: ...)" or "REST".
  std::string members_read_by;
  // How the groups invited into the groups in scope were learned, for the log: "GraphQL found
  // no invited group's member in 1,699 of 1,999 groups (2 requests); GET /groups/:id for 300",
  // or "REST".
  std::string shares_read_by;

  bool in_scope(gl::Id group) const { return groups_in_scope.count(group) != 0; }
};

}  // namespace provisio
