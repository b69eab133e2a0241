#include "core/access_level.hpp"

#include <array>
#include <utility>

namespace provisio {
namespace {

constexpr std::array<std::pair<AccessLevel, std::string_view>, 6> kBaseRoles{{
    {AccessLevel::kGuest, "guest"},
    {AccessLevel::kPlanner, "planner"},
    {AccessLevel::kReporter, "reporter"},
    {AccessLevel::kDeveloper, "developer"},
    {AccessLevel::kMaintainer, "maintainer"},
    {AccessLevel::kOwner, "owner"},
}};

}  // namespace

std::optional<AccessLevel> access_level_from_int(int value) {
  switch (value) {
    case 0:
      return AccessLevel::kNoAccess;
    case 5:
      return AccessLevel::kMinimalAccess;
    case 10:
      return AccessLevel::kGuest;
    case 15:
      return AccessLevel::kPlanner;
    case 20:
      return AccessLevel::kReporter;
    case 30:
      return AccessLevel::kDeveloper;
    case 40:
      return AccessLevel::kMaintainer;
    case 50:
      return AccessLevel::kOwner;
    default:
      return std::nullopt;
  }
}

std::optional<std::string_view> base_role_name(AccessLevel level) {
  for (const auto& [l, name] : kBaseRoles) {
    if (l == level) return name;
  }
  return std::nullopt;
}

std::optional<AccessLevel> base_role_level(std::string_view name) {
  for (const auto& [l, n] : kBaseRoles) {
    if (n == name) return l;
  }
  return std::nullopt;
}

}  // namespace provisio
