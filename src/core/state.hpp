#pragma once
// The whole authorization state of the server: what `provisio export` prints and what the sync
// compares its desired state with.

#include <vector>

#include "core/group.hpp"
#include "core/group_members.hpp"
#include "core/permission.hpp"
#include "core/project.hpp"
#include "core/user.hpp"

namespace provisio {

struct AuthorizationState {
  std::vector<User> users;
  std::vector<Group> groups;
  GroupMembers memberships;
  std::vector<Project> projects;
  std::vector<PermissionGrant> permissions;
};

}  // namespace provisio
