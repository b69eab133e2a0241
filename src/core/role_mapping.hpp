#pragma once
// The role → project permission mapping (behaviour.md §1): base roles always exist and cannot be
// deleted; any other name is a custom role, compared exactly.

#include <map>
#include <string>
#include <vector>

#include "core/access_level.hpp"
#include "core/error.hpp"
#include "core/permission.hpp"

namespace provisio {

struct RolePermissions {
  bool user = false;
  bool code_viewer = false;
  bool issue_admin = false;
  bool security_hotspot_admin = false;
  bool admin = false;
  bool scan = false;

  bool any() const {
    return user || code_viewer || issue_admin || security_hotspot_admin || admin || scan;
  }
  bool has(ProjectPermission p) const;
  std::vector<ProjectPermission> list() const;
  friend bool operator==(const RolePermissions&, const RolePermissions&) = default;
};

struct RoleMapping {
  std::string role;  // "guest" ... "owner", or a custom role's exact name
  RolePermissions permissions;
  bool is_base() const { return base_role_level(role).has_value(); }
};

// The base roles in display order (owner first) with their default permissions.
std::vector<RoleMapping> default_role_mappings();

// Checks a custom role before it is added: not empty, not a base role in any letter case, keeps
// at least one permission, not already present (exact comparison).
Status validate_new_custom_role(const std::vector<RoleMapping>& existing, const RoleMapping& role);

// Checks a change of a role's permissions: a custom role must keep at least one permission.
Status validate_role_update(const RoleMapping& role);

}  // namespace provisio
