#include "core/role_mapping.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

const RolePermissions kNone{};
const RolePermissions kBrowse{true, false, false, false, false, false};

// behaviour.md §1, the table of default mappings, row by row.
TEST(DefaultRoleMappings, FollowTheSpecTable) {
  struct Row {
    std::string role;
    RolePermissions p;
  };
  const std::vector<Row> table = {
      {"owner", {true, true, true, true, true, true}},
      {"maintainer", {true, true, true, true, true, true}},
      {"developer", {true, true, true, true, false, true}},
      {"reporter", {true, true, false, false, false, false}},
      {"planner", {true, false, false, false, false, false}},
      {"guest", {true, false, false, false, false, false}},
  };
  const auto mappings = default_role_mappings();
  ASSERT_EQ(mappings.size(), table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(mappings[i].role, table[i].role);
    EXPECT_EQ(mappings[i].permissions, table[i].p) << table[i].role;
    EXPECT_TRUE(mappings[i].is_base());
  }
}

TEST(CustomRoles, AreComparedExactlyButMayNotShadowABaseRoleInAnyCase) {
  const auto base = default_role_mappings();
  EXPECT_TRUE(validate_new_custom_role(base, {"Security Lead", kBrowse}));
  for (const char* name : {"owner", "Owner", "DEVELOPER", "Planner", "guest"}) {
    auto r = validate_new_custom_role(base, {name, kBrowse});
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
  auto existing = base;
  existing.push_back({"Auditor", kBrowse});
  EXPECT_EQ(validate_new_custom_role(existing, {"Auditor", kBrowse}).error().code,
            ErrorCode::kAlreadyExists);
  EXPECT_TRUE(validate_new_custom_role(existing, {"auditor", kBrowse}));  // exact comparison
}

TEST(CustomRoles, MustKeepAtLeastOnePermission) {
  EXPECT_FALSE(validate_new_custom_role(default_role_mappings(), {"Empty", kNone}));
  EXPECT_FALSE(validate_role_update({"Empty", kNone}));
  EXPECT_TRUE(validate_role_update({"guest", kNone}));  // base roles may be emptied
  EXPECT_FALSE(validate_new_custom_role(default_role_mappings(), {"", kBrowse}));
}

TEST(RolePermissions, ListsWhatItHoldsInTheApiOrder) {
  const RolePermissions dev{true, true, true, true, false, true};
  EXPECT_EQ(dev.list(), (std::vector<ProjectPermission>{
                            ProjectPermission::kUser, ProjectPermission::kCodeViewer,
                            ProjectPermission::kIssueAdmin,
                            ProjectPermission::kSecurityHotspotAdmin, ProjectPermission::kScan}));
  EXPECT_FALSE(dev.has(ProjectPermission::kAdmin));
}

}  // namespace
}  // namespace provisio
