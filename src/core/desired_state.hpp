#pragma once
// What the server should hold according to GitLab (behaviour.md §3): the users to provision,
// the groups to mirror (named by full path), who belongs to each, the permissions on bound
// projects from the role mapping, and their visibility. Pure: a function of a snapshot, the
// bindings and the settings.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/bots.hpp"
#include "core/effective_access.hpp"
#include "core/project.hpp"
#include "core/role_mapping.hpp"
#include "core/snapshot.hpp"

namespace provisio {

// The [decided] rules of who is provisioned, each a setting (behaviour.md §3).
struct ProvisioningRules {
  bool include_outside_invited = true;       // reached only through a group invited from outside
  bool include_project_only_members = true;  // members of projects in scope, of no group
  bool include_bots = false;                 // GitLab bot users and access-token bots
  bool include_inactive = false;             // GitLab state other than "active"
  bool include_minimal_access = false;       // members with minimal access only
};

// Why something is wanted: the best path, kept small (a membership may be one of millions).
struct Cause {
  access::Via via = access::Via::kDirect;
  int level = 0;
  gl::Id member_of = 0;  // the group whose membership gives it (0: a project's own member)
  gl::Id target = 0;     // the group or project reached
  bool on_project = false;
};

struct DesiredUser {
  gl::Id gitlab_id = 0;
  std::string username;
  std::string name;
  std::optional<std::string> email;
  Cause cause;
};

// A member of a mirrored group. There are millions on a large GitLab (every user of a root is a
// member of each of its subgroups), so a member is two indices: the user's place in
// DesiredState::users and the cause's in DesiredState::membership_causes, which most members of a
// group share.
struct DesiredMember {
  std::uint32_t user = 0;
  std::uint32_t cause = 0;
  friend bool operator==(const DesiredMember&, const DesiredMember&) = default;
};

struct DesiredGroup {
  gl::Id gitlab_id = 0;
  std::string full_path;
  std::vector<DesiredMember> members;  // provisioned users only, by user index (so by GitLab id)
};

struct DesiredPermissions {
  gl::Id project = 0;  // GitLab ids
  gl::Id user = 0;
  RolePermissions permissions;
  std::string role;  // the mapping used: "developer", or a custom role's name
  Cause cause;
};

struct DesiredState {
  std::vector<DesiredUser> users;               // by GitLab id
  std::vector<DesiredGroup> groups;             // by GitLab id, with their members
  std::vector<Cause> membership_causes;         // each distinct cause once
  std::vector<DesiredPermissions> permissions;  // by (project, user): bound projects only
  std::vector<std::pair<gl::Id, Visibility>> visibilities;  // bound projects in scope
  std::set<gl::Id> projects_in_scope;
  std::vector<std::string> warnings;
};

// The mapping that applies to an access: the custom role's own mapping when one of that exact
// name exists, else its base role's; none for levels that are not roles.
std::optional<RoleMapping> mapping_for(const std::vector<RoleMapping>& mappings, int level,
                                       const gl::CustomRoleRef* custom_role);

DesiredState desired_state(const Snapshot& snapshot, const std::set<gl::Id>& bound_projects,
                           const std::vector<RoleMapping>& mappings,
                           const ProvisioningRules& rules);

// "inherited from acme (Developer)": a cause in words, for the audit log and plans.
std::string describe(const Snapshot& snapshot, const Cause& cause);

}  // namespace provisio
