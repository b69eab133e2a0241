#pragma once
// Groups and memberships (behaviour.md §1). The default group `sonar-users` holds every active
// user; no sync ever removes anyone from it.

#include <cstdint>
#include <optional>
#include <string>

#include "core/user.hpp"

namespace provisio {

using GroupId = std::int64_t;

inline constexpr std::string_view kDefaultGroupName = "sonar-users";

struct Group {
  GroupId id = 0;
  std::string uuid;
  std::string name;  // unique; a mirrored GitLab group is named by its full path
  std::string description;
  bool managed = false;
  bool is_default = false;
  std::optional<std::string> external_id;  // GitLab numeric group id of a mirrored group
};

struct Membership {
  GroupId group_id = 0;
  UserId user_id = 0;
  friend bool operator==(const Membership&, const Membership&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted comparison
  friend auto operator<=>(const Membership&, const Membership&) = default;
};

}  // namespace provisio
