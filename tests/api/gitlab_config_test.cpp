// The GitLab configuration's rules through the API, the role mappings, and "synchronize now".
#include "api_fixture.hpp"

namespace provisio::api_test {
namespace {

const std::string kConfigs = "/api/v2/dop-translation/gitlab-configurations";
const std::string kConfig = kConfigs + "/gitlab-configuration";
const std::string kMappings = "/api/v2/dop-translation/gitlab-permission-mappings";

json base_config() {
  return {{"applicationId", "app-id"},
          {"url", "https://gitlab.example.com/"},
          {"secret", "oauth-secret"},
          {"synchronizeGroups", true},
          {"allowedGroups", {"umbrella", "acme"}}};
}

}  // namespace

TEST_P(ApiTest, CreatesReadsAndListsTheOneConfiguration) {
  EXPECT_EQ(json::parse(call(As::kAdmin, "GET", kConfigs).body)["page"]["total"], 0);
  EXPECT_EQ(call(As::kAdmin, "GET", kConfig).status, 404);
  auto created = json_call(As::kAdmin, "POST", kConfigs, base_config());
  ASSERT_EQ(created.status, 200) << created.body;
  const json c = json::parse(created.body);
  EXPECT_EQ(c["id"], "gitlab-configuration");
  EXPECT_EQ(c["enabled"], true);
  EXPECT_EQ(c["url"], "https://gitlab.example.com");          // trailing slash dropped
  EXPECT_EQ(c["allowedGroups"], json({"umbrella", "acme"}));  // in the order typed
  EXPECT_EQ(c["provisioningType"], "JIT");
  EXPECT_EQ(c["isProvisioningTokenSet"], false);
  EXPECT_TRUE(c["errorMessage"].is_null());
  EXPECT_FALSE(c.contains("secret"));
  // Only one may exist.
  EXPECT_EQ(json_call(As::kAdmin, "POST", kConfigs, base_config()).status, 409);
  auto list = json::parse(call(As::kAdmin, "GET", kConfigs).body);
  EXPECT_EQ(list["page"]["total"], 1);
  EXPECT_EQ(list["gitlabConfigurations"][0]["applicationId"], "app-id");
  EXPECT_EQ(call(As::kAdmin, "GET", kConfigs + "/another").status, 404);
}

TEST_P(ApiTest, ErrorMessageComesFromTheLiveCheckWhenEnabled) {
  gitlab_error_ = "GitLab does not accept the token (invalid or unknown).";
  auto created = json::parse(json_call(As::kAdmin, "POST", kConfigs, base_config()).body);
  EXPECT_EQ(created["errorMessage"], *gitlab_error_);
  auto disabled = json::parse(json_call(As::kAdmin, "PATCH", kConfig, {{"enabled", false}}).body);
  EXPECT_TRUE(disabled["errorMessage"].is_null());  // disabled: not checked
}

TEST_P(ApiTest, ChangingTheUrlNeedsTheSecretInTheSameRequest) {
  ASSERT_EQ(json_call(As::kAdmin, "POST", kConfigs, base_config()).status, 200);
  auto refused = json_call(As::kAdmin, "PATCH", kConfig, {{"url", "https://other.example.com"}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(message(refused).find("secret"), std::string::npos);
  // The same URL again (any trailing slash) is no change.
  EXPECT_EQ(json_call(As::kAdmin, "PATCH", kConfig, {{"url", "https://gitlab.example.com"}}).status,
            200);
  auto changed = json_call(As::kAdmin, "PATCH", kConfig,
                           {{"url", "https://other.example.com"}, {"secret", "new"}});
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json::parse(changed.body)["url"], "https://other.example.com");
  auto created_without = json_call(As::kAdmin, "POST", kConfigs, {{"applicationId", "a"}});
  EXPECT_EQ(created_without.status, 400);
}

TEST_P(ApiTest, AutomaticProvisioningNeedsATokenAndAllowedGroupsAndQueuesTheFirstSync) {
  json config = base_config();
  config["allowedGroups"] = json::array();
  ASSERT_EQ(json_call(As::kAdmin, "POST", kConfigs, config).status, 200);
  auto no_token =
      json_call(As::kAdmin, "PATCH", kConfig, {{"provisioningType", "AUTO_PROVISIONING"}});
  EXPECT_EQ(no_token.status, 400) << no_token.body;
  auto no_groups =
      json_call(As::kAdmin, "PATCH", kConfig,
                {{"provisioningType", "AUTO_PROVISIONING"}, {"provisioningToken", "glpat-secret"}});
  EXPECT_EQ(no_groups.status, 400) << no_groups.body;
  EXPECT_TRUE(store_->list_tasks({})->items.empty());
  auto on = json_call(As::kAdmin, "PATCH", kConfig,
                      {{"provisioningType", "AUTO_PROVISIONING"},
                       {"provisioningToken", "glpat-secret"},
                       {"allowedGroups", {"acme"}}});
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(json::parse(on.body)["isProvisioningTokenSet"], true);
  auto tasks = store_->list_tasks({});
  ASSERT_EQ(tasks->items.size(), 1u);
  EXPECT_EQ(tasks->items[0].status, TaskStatus::kPending);
  EXPECT_EQ(tasks->items[0].submitter, "admin");
  // A token set to null is removed (merge-patch), which automatic mode refuses.
  EXPECT_EQ(json_call(As::kAdmin, "PATCH", kConfig, {{"provisioningToken", nullptr}}).status, 400);
}

TEST_P(ApiTest, SwitchingToJitClearsManagedFlagsAndDisableOnlyInJitDeleteOnlyWhenDisabled) {
  make_managed_instance();
  const User managed = make_local_user("managed-one", "x", true);
  const Group group = make_group("acme", true);
  auto disable = json_call(As::kAdmin, "PATCH", kConfig, {{"enabled", false}});
  EXPECT_EQ(disable.status, 400);
  EXPECT_NE(message(disable).find("Just-in-Time"), std::string::npos);
  auto removed = call(As::kAdmin, "DELETE", kConfig);
  EXPECT_EQ(removed.status, 400);
  EXPECT_NE(message(removed).find("Disable"), std::string::npos);
  ASSERT_EQ(json_call(As::kAdmin, "PATCH", kConfig, {{"provisioningType", "JIT"}}).status, 200);
  EXPECT_FALSE(store_->get_user(managed.id)->managed);
  EXPECT_FALSE(store_->get_group(group.id)->managed);
  ASSERT_EQ(json_call(As::kAdmin, "PATCH", kConfig, {{"enabled", false}}).status, 200);
  EXPECT_EQ(call(As::kAdmin, "DELETE", kConfig).status, 204);
  EXPECT_FALSE(*store_->load_gitlab_config());
}

TEST_P(ApiTest, DeletingTheConfigurationClearsManagedFlags) {
  save_config(ProvisioningType::kJit, false);
  const User managed = make_local_user("managed-two", "x", true);
  EXPECT_EQ(call(As::kAdmin, "DELETE", kConfig).status, 204);
  EXPECT_FALSE(store_->get_user(managed.id)->managed);
}

TEST_P(ApiTest, ConfigurationFieldsAreValidated) {
  auto bad_type = base_config();
  bad_type["provisioningType"] = "SOMETIMES";
  auto r = json_call(As::kAdmin, "POST", kConfigs, bad_type);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message(r).find("provisioningType"), std::string::npos);
  auto bad_url = base_config();
  bad_url["url"] = "ftp://gitlab";
  EXPECT_EQ(json_call(As::kAdmin, "POST", kConfigs, bad_url).status, 400);
  auto bad_groups = base_config();
  bad_groups["allowedGroups"] = {1, 2};
  r = json_call(As::kAdmin, "POST", kConfigs, bad_groups);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message(r).find("allowedGroups"), std::string::npos);
}

TEST_P(ApiTest, BaseRolesCannotBeDeletedAndCustomRolesFollowTheRules) {
  auto list = json::parse(call(As::kAdmin, "GET", kMappings).body)["permissionMappings"];
  ASSERT_EQ(list.size(), 6u);
  EXPECT_EQ(list[0]["role"], "owner");
  EXPECT_EQ(list[0]["baseRole"], true);
  EXPECT_EQ(list[5]["permissions"], json({{"user", true},
                                          {"codeViewer", false},
                                          {"issueAdmin", false},
                                          {"securityHotspotAdmin", false},
                                          {"admin", false},
                                          {"scan", false}}));
  auto base = call(As::kAdmin, "DELETE", kMappings + "/guest");
  EXPECT_EQ(base.status, 400);
  EXPECT_NE(message(base).find("base role"), std::string::npos);
  // A custom role named like a base role in another case, or without permissions: refused.
  EXPECT_EQ(json_call(As::kAdmin, "POST", kMappings,
                      {{"role", "Developer"}, {"permissions", {{"user", true}}}})
                .status,
            400);
  EXPECT_EQ(json_call(As::kAdmin, "POST", kMappings,
                      {{"role", "Auditor"}, {"permissions", {{"user", false}}}})
                .status,
            400);
  auto added = json_call(As::kAdmin, "POST", kMappings,
                         {{"role", "Security Auditor"}, {"permissions", {{"codeViewer", true}}}});
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(json::parse(added.body)["baseRole"], false);
  EXPECT_EQ(json_call(As::kAdmin, "POST", kMappings,
                      {{"role", "Security Auditor"}, {"permissions", {{"user", true}}}})
                .status,
            409);
  // PATCH is a merge: scan added, codeViewer kept; a custom role keeps one permission at least.
  auto patched = json_call(As::kAdmin, "PATCH", kMappings + "/Security%20Auditor",
                           {{"permissions", {{"scan", true}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json::parse(patched.body)["permissions"]["codeViewer"], true);
  EXPECT_EQ(json::parse(patched.body)["permissions"]["scan"], true);
  EXPECT_EQ(json_call(As::kAdmin, "PATCH", kMappings + "/Security%20Auditor",
                      {{"permissions", {{"scan", false}, {"codeViewer", false}}}})
                .status,
            400);
  // A base role may lose every permission.
  EXPECT_EQ(
      json_call(As::kAdmin, "PATCH", kMappings + "/guest", {{"permissions", {{"user", false}}}})
          .status,
      200);
  EXPECT_EQ(call(As::kAdmin, "DELETE", kMappings + "/Security%20Auditor").status, 204);
  EXPECT_EQ(call(As::kAdmin, "DELETE", kMappings + "/Security%20Auditor").status, 404);
}

TEST_P(ApiTest, SynchronizeNowAnswers202WithTheTaskAndRefusesWhileOneIsPending) {
  const std::string runs = "/api/v2/dop-translation/gitlab-synchronization-runs";
  EXPECT_EQ(call(As::kAdmin, "POST", runs).status, 400);  // automatic provisioning is off
  make_managed_instance();
  auto queued = call(As::kAdmin, "POST", runs);
  ASSERT_EQ(queued.status, 202) << queued.body;
  const std::string id = json::parse(queued.body)["taskId"];
  EXPECT_EQ(store_->get_task(std::stoll(id))->status, TaskStatus::kPending);
  EXPECT_EQ(call(As::kAdmin, "POST", runs).status, 409);
  finish_pending_tasks();
  EXPECT_EQ(call(As::kAdmin, "POST", runs).status, 202);
}

}  // namespace provisio::api_test
