#pragma once
// GitLab access levels (Gitlab::Access; CONTRACT.md §5.4) and the base roles they name.

#include <optional>
#include <string_view>

namespace provisio {

enum class AccessLevel : int {
  kNoAccess = 0,
  kMinimalAccess = 5,
  kGuest = 10,
  kPlanner = 15,
  kReporter = 20,
  kDeveloper = 30,
  kMaintainer = 40,
  kOwner = 50,
};

// The level for a GitLab integer, or nothing for a value GitLab does not define here
// (60, "admin", is an instance role and grants nothing on projects).
std::optional<AccessLevel> access_level_from_int(int value);

// Base role names as the role mapping spells them ("guest", ..., "owner"); nothing for levels
// that are not roles (no access, minimal access).
std::optional<std::string_view> base_role_name(AccessLevel level);
std::optional<AccessLevel> base_role_level(std::string_view name);

}  // namespace provisio
