#include "core/role_mapping.hpp"

#include <algorithm>
#include <cctype>

namespace provisio {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

bool RolePermissions::has(ProjectPermission p) const {
  switch (p) {
    case ProjectPermission::kUser:
      return user;
    case ProjectPermission::kCodeViewer:
      return code_viewer;
    case ProjectPermission::kIssueAdmin:
      return issue_admin;
    case ProjectPermission::kSecurityHotspotAdmin:
      return security_hotspot_admin;
    case ProjectPermission::kAdmin:
      return admin;
    case ProjectPermission::kScan:
      return scan;
  }
  return false;
}

std::vector<ProjectPermission> RolePermissions::list() const {
  std::vector<ProjectPermission> out;
  for (ProjectPermission p : kAllProjectPermissions) {
    if (has(p)) out.push_back(p);
  }
  return out;
}

std::vector<RoleMapping> default_role_mappings() {
  const RolePermissions all{true, true, true, true, true, true};
  return {
      {"owner", all},
      {"maintainer", all},
      {"developer", {true, true, true, true, false, true}},
      {"reporter", {true, true, false, false, false, false}},
      {"planner", {true, false, false, false, false, false}},
      {"guest", {true, false, false, false, false, false}},
  };
}

Status validate_new_custom_role(const std::vector<RoleMapping>& existing, const RoleMapping& role) {
  if (role.role.empty() || role.role.size() > 255) {
    return make_error(ErrorCode::kInvalidArgument,
                      "A custom role needs a name of 1 to 255 characters.");
  }
  for (const RoleMapping& base : default_role_mappings()) {
    if (equals_ignoring_case(base.role, role.role)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "'" + role.role + "' is the name of a base role; choose another name.");
    }
  }
  for (const RoleMapping& r : existing) {
    if (r.role == role.role) {
      return make_error(ErrorCode::kAlreadyExists,
                        "A mapping for the role '" + role.role + "' already exists.");
    }
  }
  return validate_role_update(role);
}

Status validate_role_update(const RoleMapping& role) {
  if (!role.is_base() && !role.permissions.any()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "The custom role '" + role.role + "' must keep at least one permission.");
  }
  return {};
}

}  // namespace provisio
