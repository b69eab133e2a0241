// Saving the provisioning settings through the API (issue 20, point 4): automatic provisioning is
// refused on a disabled configuration; what GitLab refuses (a token, an allowed group) is
// answered with the setting it concerns and nothing is saved; a save in automatic mode that
// changes the token, the allowed groups or the role mapping queues a sync.
#include "api_fixture.hpp"
#include "database_dump.hpp"

namespace provisio::api_test {
namespace {

const std::string kConfigs = "/api/v2/dop-translation/gitlab-configurations";
const std::string kConfig = kConfigs + "/gitlab-configuration";
const std::string kMappings = "/api/v2/dop-translation/gitlab-permission-mappings";

// The full syncs waiting to run.
std::vector<Task> pending_full_syncs(store::Store& store) {
  store::TaskQuery q;
  q.type = TaskType::kGitlabAuthProvisioning;
  q.statuses = {TaskStatus::kPending};
  return store.list_tasks(q)->items;
}

}  // namespace

TEST_P(ApiTest, AutomaticProvisioningIsRefusedOnADisabledConfiguration) {
  save_config(ProvisioningType::kJit, /*enabled=*/false);
  const auto before = testing::dump_database(url_);
  auto patched = json_call(As::kAdmin, "PATCH", kConfig,
                           {{"provisioningType", "AUTO_PROVISIONING"},
                            {"provisioningToken", "glpat-new"},
                            {"allowedGroups", {"acme"}}});
  EXPECT_EQ(patched.status, 400) << patched.body;
  EXPECT_EQ(message(patched),
            "Automatic provisioning needs GitLab authentication enabled: enable the "
            "configuration first.");
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "")
      << "nothing was saved, nothing queued";

  // Nor can a configuration be created that way.
  ASSERT_TRUE(store_->delete_gitlab_config());
  auto created = json_call(As::kAdmin, "POST", kConfigs,
                           {{"applicationId", "app"},
                            {"url", "https://gitlab.example.com"},
                            {"secret", "s"},
                            {"enabled", false},
                            {"provisioningType", "AUTO_PROVISIONING"},
                            {"provisioningToken", "glpat-new"},
                            {"allowedGroups", {"acme"}}});
  EXPECT_EQ(created.status, 400) << created.body;
  EXPECT_FALSE(*store_->load_gitlab_config());

  // Enabled in the same request, it is accepted.
  save_config(ProvisioningType::kJit, /*enabled=*/false);
  auto both = json_call(As::kAdmin, "PATCH", kConfig,
                        {{"enabled", true},
                         {"provisioningType", "AUTO_PROVISIONING"},
                         {"provisioningToken", "glpat-new"},
                         {"allowedGroups", {"acme"}}});
  EXPECT_EQ(both.status, 200) << both.body;
}

TEST_P(ApiTest, ASaveGitLabRefusesIsAnsweredWithItsSettingAndNothingIsSaved) {
  make_managed_instance();
  finish_pending_tasks();
  const auto before = testing::dump_database(url_);

  // The new token: GitLab refuses it.
  gitlab_error_ = "GitLab does not accept the token (invalid or unknown).";
  gitlab_error_field_ = "provisioningToken";
  auto token = json_call(As::kAdmin, "PATCH", kConfig, {{"provisioningToken", "glpat-wrong"}});
  EXPECT_EQ(token.status, 400) << token.body;
  EXPECT_EQ(json::parse(token.body),
            json({{"message", "GitLab does not accept the token (invalid or unknown)."},
                  {"field", "provisioningToken"},
                  {"allowedGroup", nullptr}}));
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");

  // A new allowed group GitLab does not have (or the token cannot see).
  gitlab_error_ =
      "The allowed group 'nope' does not exist in GitLab, or the provisioning token cannot see it.";
  gitlab_error_field_ = "allowedGroups";
  gitlab_error_group_ = "nope";
  auto group = json_call(As::kAdmin, "PATCH", kConfig, {{"allowedGroups", {"acme", "nope"}}});
  EXPECT_EQ(group.status, 400) << group.body;
  EXPECT_EQ(json::parse(group.body)["field"], "allowedGroups");
  EXPECT_EQ(json::parse(group.body)["allowedGroup"], "nope");
  EXPECT_EQ(message(group),
            "The allowed group 'nope' does not exist in GitLab, or the provisioning token cannot "
            "see it.");
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "")
      << "nothing saved, no sync queued";

  // GitLab could not be asked (no setting to blame): the save goes through, the check says why.
  gitlab_error_ = "GitLab is unreachable at https://gitlab.example.com.";
  gitlab_error_field_.reset();
  gitlab_error_group_.reset();
  auto unreachable =
      json_call(As::kAdmin, "PATCH", kConfig, {{"allowedGroups", {"acme", "umbrella"}}});
  EXPECT_EQ(unreachable.status, 200) << unreachable.body;
  EXPECT_EQ(json::parse(unreachable.body)["errorMessage"],
            "GitLab is unreachable at https://gitlab.example.com.");

  // A change that does not touch what GitLab is read with is not checked.
  gitlab_error_ = "GitLab does not accept the token (invalid or unknown).";
  gitlab_error_field_ = "provisioningToken";
  const int checks = checks_;
  auto groups_sync = json_call(As::kAdmin, "PATCH", kConfig, {{"synchronizeGroups", true}});
  EXPECT_EQ(groups_sync.status, 200) << groups_sync.body;
  EXPECT_EQ(checks_, checks + 1) << "only the answer's own check, not one before saving";
  EXPECT_EQ(json::parse(groups_sync.body)["errorField"], "provisioningToken");
}

TEST_P(ApiTest, ASaveInAutomaticModeThatChangesWhatGitLabIsReadWithQueuesASync) {
  make_managed_instance();
  finish_pending_tasks();
  ASSERT_TRUE(pending_full_syncs(*store_).empty());

  // Other allowed groups: a sync, submitted by the administrator.
  ASSERT_EQ(
      json_call(As::kAdmin, "PATCH", kConfig, {{"allowedGroups", {"acme", "umbrella"}}}).status,
      200);
  auto queued = pending_full_syncs(*store_);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].submitter, "admin");
  // Another change while that one waits: it will read the new settings, so no second one.
  ASSERT_EQ(json_call(As::kAdmin, "PATCH", kConfig, {{"provisioningToken", "glpat-other"}}).status,
            200);
  EXPECT_EQ(pending_full_syncs(*store_).size(), 1u);
  finish_pending_tasks();

  // Another token: a sync.
  ASSERT_EQ(json_call(As::kAdmin, "PATCH", kConfig, {{"provisioningToken", "glpat-third"}}).status,
            200);
  EXPECT_EQ(pending_full_syncs(*store_).size(), 1u);
  finish_pending_tasks();

  // A sync running while the settings change read the old ones: another one is queued after it.
  Task scheduled;
  scheduled.type = TaskType::kGitlabAuthProvisioning;
  scheduled.submitter = "scheduler";
  auto running = store_->enqueue_task(scheduled, true);
  ASSERT_TRUE(running);
  ASSERT_TRUE(*store_->claim_task("node-b", clock_.now(), 60'000));
  ASSERT_EQ(json_call(As::kAdmin, "PATCH", kConfig, {{"allowedGroups", {"acme"}}}).status, 200);
  EXPECT_EQ(pending_full_syncs(*store_).size(), 1u);

  // The role mapping: a sync (one, however many roles change).
  store::TaskQuery all;
  all.type = TaskType::kGitlabAuthProvisioning;
  const std::int64_t tasks_before = store_->list_tasks(all)->total;
  ASSERT_EQ(json_call(As::kAdmin, "PATCH", kMappings + "/guest",
                      {{"permissions", {{"codeViewer", true}}}})
                .status,
            200);
  EXPECT_EQ(store_->list_tasks(all)->total, tasks_before) << "one is pending already";
  auto pending = pending_full_syncs(*store_);
  ASSERT_EQ(pending.size(), 1u);
  store::TaskOutcome done;
  done.status = TaskStatus::kSuccess;
  ASSERT_TRUE(store_->finish_task(running->id, "node-b", clock_.now(), done));
  finish_pending_tasks();
  ASSERT_EQ(json_call(As::kAdmin, "POST", kMappings,
                      {{"role", "Security Auditor"}, {"permissions", {{"user", true}}}})
                .status,
            200);
  EXPECT_EQ(pending_full_syncs(*store_).size(), 1u);
  finish_pending_tasks();
  ASSERT_EQ(call(As::kAdmin, "DELETE", kMappings + "/Security%20Auditor").status, 204);
  EXPECT_EQ(pending_full_syncs(*store_).size(), 1u);
  finish_pending_tasks();

  // What does not change what is read from GitLab queues nothing.
  ASSERT_EQ(json_call(As::kAdmin, "PATCH", kConfig, {{"synchronizeGroups", true}}).status, 200);
  EXPECT_TRUE(pending_full_syncs(*store_).empty());
  // Nor does a change in Just-in-Time mode.
  save_config(ProvisioningType::kJit);
  ASSERT_EQ(
      json_call(As::kAdmin, "PATCH", kConfig, {{"allowedGroups", {"acme", "umbrella"}}}).status,
      200);
  ASSERT_EQ(
      json_call(As::kAdmin, "PATCH", kMappings + "/guest", {{"permissions", {{"scan", true}}}})
          .status,
      200);
  EXPECT_TRUE(pending_full_syncs(*store_).empty());
}

}  // namespace provisio::api_test
