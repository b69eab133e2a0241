#pragma once
// Explain (behaviour.md §6): why a user holds each permission on a project, or belongs to a
// mirrored group, in GitLab's terms: direct member, inherited from group X, through group Y
// invited into Z with the cap, custom role R mapped or fallen back to base role B; or why GitLab
// gives nothing. Pure: the GitLab side is a Snapshot of just the project (or group), its
// ancestors and the groups invited into them, holding only the user's own memberships, resolved
// by the same effective-access rules and role mapping as the sync.

#include <optional>
#include <string>
#include <vector>

#include "core/desired_state.hpp"
#include "core/role_mapping.hpp"
#include "core/snapshot.hpp"

namespace provisio::explain {

// What GitLab's access gives a user on a project (or a group).
struct GitlabVerdict {
  int level = 0;                      // the highest effective level; 0: none
  std::vector<std::string> paths;     // every path that counts, best first, in words
  std::string best;                   // the path that decides, in words
  std::string mapping;                // the role mapping used: "developer" or a custom role's name
  std::string mapping_note;           // "custom role R is mapped", "... fell back to base role B"
  RolePermissions permissions;        // what the mapping gives (projects only)
  std::optional<std::string> reason;  // why GitLab gives nothing; empty when it gives something
};

// The user's access to `project` from `s` (which holds `user`'s memberships of the project, of
// its namespace's ancestors and of the groups invited into them). `username` names the user in
// messages.
GitlabVerdict project_verdict(const Snapshot& s, const gl::Project& project, gl::Id user,
                              const std::string& username, const std::vector<RoleMapping>& mappings,
                              const ProvisioningRules& rules);

// The user's membership of the mirrored group `group` (guest or more makes a member).
GitlabVerdict group_verdict(const Snapshot& s, gl::Id group, gl::Id user,
                            const std::string& username, const ProvisioningRules& rules);

// One source of a permission the server holds or GitLab gives.
struct PermissionLine {
  std::string permission;    // "user", "codeviewer", ...
  bool held = false;         // the server grants it now (to the user or one of the user's groups)
  bool from_gitlab = false;  // GitLab's access gives it: the sync grants it and keeps it
  std::vector<std::string> why;  // each chain that grants it, in words
};

// A local grant: to the user, or to a group the user belongs to.
struct LocalGrant {
  std::string permission;
  std::optional<std::string> group;  // empty: granted to the user
};

// Each project permission that is held or that GitLab gives, in the canonical order, with every
// chain: the GitLab one ("role developer: inherited from acme (Developer)") and the local grants.
// A permission GitLab gives but the server does not hold yet (or the reverse) says what the next
// sync will do.
std::vector<PermissionLine> permission_lines(const std::optional<GitlabVerdict>& gitlab,
                                             const std::vector<LocalGrant>& local,
                                             bool managed_user);

}  // namespace provisio::explain
