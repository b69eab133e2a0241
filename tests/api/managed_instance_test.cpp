// behaviour.md §5: what an administrator may not do by hand while automatic provisioning is on,
// each refusal a 400 saying the instance or project is managed by GitLab; and what stays open.
#include "api_fixture.hpp"

namespace provisio::api_test {
namespace {

const std::string kUsers = "/api/v2/users-management/users/";
const std::string kGroups = "/api/v2/authorizations/groups/";
const std::string kMemberships = "/api/v2/authorizations/group-memberships";

void expect_managed_refusal(const ClientResponse& r, const std::string& what) {
  EXPECT_EQ(r.status, 400) << what << ": " << r.body;
  EXPECT_NE(r.body.find("managed by GitLab"), std::string::npos) << what << ": " << r.body;
}

}  // namespace

TEST_P(ApiTest, AManagedInstanceRefusesHandMadeChangesToWhatTheSyncOwns) {
  make_managed_instance();
  const User managed = make_local_user("gitlab-user", "x", true);
  const User local = make_local_user("local-user", "local-password-1");
  const Group managed_group = make_group("acme", true);
  const Group local_group = make_group("local-group");
  ASSERT_TRUE(store_->add_membership(managed_group.id, managed.id));
  ASSERT_TRUE(store_->add_membership(local_group.id, managed.id));
  const Project bound = make_project("bound", 42);

  expect_managed_refusal(
      json_call(As::kAdmin, "POST", "/api/v2/users-management/users",
                {{"login", "hand-made"}, {"name", "H"}, {"password", "long-enough-pw"}}),
      "create a user");
  expect_managed_refusal(json_call(As::kAdmin, "PATCH", kUsers + managed.uuid, {{"name", "X"}}),
                         "edit a managed user");
  expect_managed_refusal(call(As::kAdmin, "DELETE", kUsers + managed.uuid),
                         "deactivate a managed user");
  expect_managed_refusal(form_call(As::kAdmin, "/api/users/change_password",
                                   "login=gitlab-user&password=another-password-1"),
                         "set a managed user's password");
  expect_managed_refusal(
      json_call(As::kAdmin, "POST", "/api/v2/authorizations/groups", {{"name", "g"}}),
      "create a group");
  expect_managed_refusal(
      json_call(As::kAdmin, "PATCH", kGroups + local_group.uuid, {{"name", "renamed"}}),
      "rename a local group");
  expect_managed_refusal(
      json_call(As::kAdmin, "PATCH", kGroups + managed_group.uuid, {{"description", "d"}}),
      "edit a managed group");
  expect_managed_refusal(call(As::kAdmin, "DELETE", kGroups + managed_group.uuid),
                         "delete a managed group");
  expect_managed_refusal(json_call(As::kAdmin, "POST", kMemberships,
                                   {{"groupId", local_group.uuid}, {"userId", local.uuid}}),
                         "add a local user to a local group");
  expect_managed_refusal(
      call(As::kAdmin, "DELETE", kMemberships + "/" + managed_group.uuid + ":" + managed.uuid),
      "remove a managed user from a managed group");
  // A provisioned user's memberships follow GitLab: never added to a local group (behaviour.md
  // §3, §5) ...
  const auto add_managed = json_call(As::kAdmin, "POST", kMemberships,
                                     {{"groupId", local_group.uuid}, {"userId", managed.uuid}});
  expect_managed_refusal(add_managed, "add a managed user to a local group");
  EXPECT_NE(add_managed.body.find("never added to a local group"), std::string::npos)
      << add_managed.body;
  // ... and taken out of one by hand if an administrator wants it sooner than the next sync.
  EXPECT_EQ(
      call(As::kAdmin, "DELETE", kMemberships + "/" + local_group.uuid + ":" + managed.uuid).status,
      204);
  expect_managed_refusal(form_call(As::kAdmin, "/api/permissions/add_user",
                                   "login=gitlab-user&permission=user&projectKey=bound"),
                         "grant to a managed user on a bound project");
  expect_managed_refusal(form_call(As::kAdmin, "/api/permissions/remove_user",
                                   "login=gitlab-user&permission=user&projectKey=bound"),
                         "revoke from a managed user on a bound project");
  expect_managed_refusal(form_call(As::kAdmin, "/api/permissions/add_user",
                                   "login=local-user&permission=user&projectKey=bound"),
                         "grant to a local user on a bound project");
  expect_managed_refusal(form_call(As::kAdmin, "/api/permissions/add_group",
                                   "groupName=local-group&permission=user&projectKey=bound"),
                         "grant to a group on a bound project");
  expect_managed_refusal(
      form_call(As::kAdmin, "/api/projects/update_visibility", "project=bound&visibility=private"),
      "change a bound project's visibility");
  EXPECT_NE(message(form_call(As::kAdmin, "/api/projects/update_visibility",
                              "project=bound&visibility=private"))
                .find("project 'bound'"),
            std::string::npos);
}

TEST_P(ApiTest, AManagedInstanceStillAllowsWhatStaysLocal) {
  make_managed_instance();
  const User local = make_local_user("local-user", "local-password-1");
  const Group local_group = make_group("local-group");
  ASSERT_TRUE(store_->add_membership(local_group.id, local.id));
  const Project bound = make_project("bound", 42);
  const Project unbound = make_project("unbound");
  PermissionGrant g;
  g.project_id = bound.id;
  g.user_id = local.id;
  g.permission = "user";
  ASSERT_TRUE(store_->grant(g));
  PermissionGrant gg;
  gg.project_id = bound.id;
  gg.group_id = local_group.id;
  gg.permission = "codeviewer";
  ASSERT_TRUE(store_->grant(gg));

  EXPECT_EQ(json_call(As::kAdmin, "PATCH", kUsers + local.uuid, {{"name", "Renamed"}}).status, 200);
  EXPECT_EQ(
      call(As::kAdmin, "DELETE", kMemberships + "/" + local_group.uuid + ":" + local.uuid).status,
      204);
  EXPECT_EQ(form_call(As::kAdmin, "/api/permissions/remove_user",
                      "login=local-user&permission=user&projectKey=bound")
                .status,
            204);
  EXPECT_EQ(form_call(As::kAdmin, "/api/permissions/remove_group",
                      "groupName=local-group&permission=codeviewer&projectKey=bound")
                .status,
            204);
  // Global permissions and unbound projects stay editable.
  EXPECT_EQ(
      form_call(As::kAdmin, "/api/permissions/add_user", "login=local-user&permission=scan").status,
      204);
  EXPECT_EQ(form_call(As::kAdmin, "/api/permissions/add_group",
                      "groupName=local-group&permission=gateadmin")
                .status,
            204);
  EXPECT_EQ(form_call(As::kAdmin, "/api/permissions/add_user",
                      "login=local-user&permission=admin&projectKey=unbound")
                .status,
            204);
  EXPECT_EQ(
      form_call(As::kAdmin, "/api/projects/update_visibility", "project=unbound&visibility=private")
          .status,
      204);
  EXPECT_EQ(
      json_call(As::kAdmin, "PATCH", kGroups + local_group.uuid, {{"description", "d"}}).status,
      200);
  EXPECT_EQ(call(As::kAdmin, "DELETE", kGroups + local_group.uuid).status, 204);
  EXPECT_EQ(call(As::kAdmin, "DELETE", kUsers + local.uuid).status, 204);
  EXPECT_FALSE(store_->get_user(local.id)->active);
}

TEST_P(ApiTest, TheSameChangesAreAllowedWithoutAutomaticProvisioning) {
  save_config(ProvisioningType::kJit);
  const User managed = make_local_user("was-managed", "x", true);
  EXPECT_EQ(json_call(As::kAdmin, "POST", "/api/v2/users-management/users",
                      {{"login", "hand-made"}, {"name", "H"}, {"password", "long-enough-pw"}})
                .status,
            200);
  EXPECT_EQ(json_call(As::kAdmin, "PATCH", kUsers + managed.uuid, {{"name", "X"}}).status, 200);
  EXPECT_EQ(json_call(As::kAdmin, "POST", "/api/v2/authorizations/groups", {{"name", "g"}}).status,
            200);
}

}  // namespace provisio::api_test
