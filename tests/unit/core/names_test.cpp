// The spellings the Web API and the database use for the domain's enumerations.
#include <gtest/gtest.h>

#include "core/access_level.hpp"
#include "core/gitlab_config.hpp"
#include "core/permission.hpp"
#include "core/task.hpp"
#include "core/user.hpp"

namespace provisio {
namespace {

TEST(Names, PermissionsRoundTrip) {
  for (auto p : kAllGlobalPermissions) EXPECT_EQ(parse_global_permission(to_string(p)), p);
  for (auto p : kAllProjectPermissions) EXPECT_EQ(parse_project_permission(to_string(p)), p);
  EXPECT_EQ(to_string(ProjectPermission::kCodeViewer), "codeviewer");
  EXPECT_EQ(to_string(ProjectPermission::kSecurityHotspotAdmin), "securityhotspotadmin");
  EXPECT_EQ(to_string(GlobalPermission::kGateAdmin), "gateadmin");
  EXPECT_FALSE(parse_project_permission("Admin"));
  EXPECT_FALSE(parse_global_permission("codeviewer"));
}

TEST(Names, TasksAndModes) {
  EXPECT_EQ(to_string(TaskType::kGitlabAuthProvisioning), "GITLAB_AUTH_PROVISIONING");
  EXPECT_EQ(to_string(TaskType::kGitlabProjectPermissionsProvisioning),
            "GITLAB_PROJECT_PERMISSIONS_PROVISIONING");
  for (auto s : {TaskStatus::kPending, TaskStatus::kInProgress, TaskStatus::kSuccess,
                 TaskStatus::kFailed, TaskStatus::kCanceled}) {
    EXPECT_EQ(parse_task_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(TaskStatus::kInProgress), "IN_PROGRESS");
  EXPECT_EQ(parse_provisioning_type("AUTO_PROVISIONING"), ProvisioningType::kAutoProvisioning);
  EXPECT_EQ(parse_provisioning_type("JIT"), ProvisioningType::kJit);
  EXPECT_FALSE(parse_provisioning_type("jit"));
  EXPECT_EQ(parse_external_provider("gitlab"), ExternalProvider::kGitlab);
}

TEST(AccessLevels, FollowGitlab) {
  EXPECT_EQ(access_level_from_int(5), AccessLevel::kMinimalAccess);
  EXPECT_EQ(access_level_from_int(15), AccessLevel::kPlanner);
  EXPECT_FALSE(access_level_from_int(60));
  EXPECT_FALSE(access_level_from_int(25));
  EXPECT_EQ(base_role_name(AccessLevel::kPlanner), "planner");
  EXPECT_FALSE(base_role_name(AccessLevel::kMinimalAccess));
  EXPECT_EQ(base_role_level("maintainer"), AccessLevel::kMaintainer);
  EXPECT_FALSE(base_role_level("Maintainer"));
}

}  // namespace
}  // namespace provisio
