#pragma once
// Global and project permissions (behaviour.md §1), and who holds them.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/group.hpp"
#include "core/project.hpp"
#include "core/user.hpp"

namespace provisio {

enum class GlobalPermission { kAdmin, kGateAdmin, kProfileAdmin, kScan, kProvisioning };
enum class ProjectPermission {
  kUser,
  kCodeViewer,
  kIssueAdmin,
  kSecurityHotspotAdmin,
  kAdmin,
  kScan
};

inline constexpr std::array kAllGlobalPermissions = {
    GlobalPermission::kAdmin, GlobalPermission::kGateAdmin, GlobalPermission::kProfileAdmin,
    GlobalPermission::kScan, GlobalPermission::kProvisioning};
inline constexpr std::array kAllProjectPermissions = {
    ProjectPermission::kUser,       ProjectPermission::kCodeViewer,
    ProjectPermission::kIssueAdmin, ProjectPermission::kSecurityHotspotAdmin,
    ProjectPermission::kAdmin,      ProjectPermission::kScan};

// Keys as the Web API spells them: "admin", "gateadmin", ..., "user", "codeviewer", ...
std::string_view to_string(GlobalPermission p);
std::string_view to_string(ProjectPermission p);
std::optional<GlobalPermission> parse_global_permission(std::string_view s);
std::optional<ProjectPermission> parse_project_permission(std::string_view s);

// A grant as stored: a permission key on a project (or globally when project_id is empty),
// held by exactly one of a user or a group.
struct PermissionGrant {
  std::optional<ProjectId> project_id;
  std::optional<UserId> user_id;
  std::optional<GroupId> group_id;
  std::string permission;  // a GlobalPermission key when global, a ProjectPermission key otherwise
  friend bool operator==(const PermissionGrant&, const PermissionGrant&) = default;
};

}  // namespace provisio
