// Whole syncs of world S over loopback (sync_fixture.hpp): a first sync, each kind of change in
// GitLab followed by a resync, a failing endpoint, and the mass-deactivation guard.
#include "sync_fixture.hpp"

namespace provisio::sync_test {
namespace {

class SyncIntegrationTest : public SyncFixture {};

INSTANTIATE_TEST_SUITE_P(Backends, SyncIntegrationTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST_P(SyncIntegrationTest, AFullSyncOfWorldSGivesWhatGitlabSays) {
  const Task t = full_sync();
  ASSERT_EQ(t.status, TaskStatus::kSuccess) << t.error_message.value_or("");
  EXPECT_GT(t.counts.users_created, 100);
  EXPECT_GT(t.counts.groups_created, 10);
  EXPECT_GT(t.counts.gitlab_requests, 0);
  EXPECT_FALSE(t.info_messages.empty());
  expect_matches_gitlab();

  // Nothing changed in GitLab: nothing is written but the task record.
  const auto before = store_->load_state();
  const std::int64_t audit = audit_rows();
  const Task again = full_sync();
  ASSERT_EQ(again.status, TaskStatus::kSuccess);
  expect_changed_nothing(again);
  EXPECT_EQ(audit_rows(), audit);
  // What both runs covered, as the server's rows show it: every managed user active, every
  // mirrored group, every bound project (all bound here are in the allowed groups).
  std::int64_t users = 0, groups = 0;
  for (const User& u : before->users) users += u.managed && u.active ? 1 : 0;
  for (const Group& g : before->groups) groups += g.managed ? 1 : 0;
  const SyncTotals covered{users, groups, static_cast<std::int64_t>(bound_.size())};
  EXPECT_EQ(t.counts.totals, covered);
  EXPECT_EQ(again.counts.totals, covered);
}

TEST_P(SyncIntegrationTest, AfterEachChangeInGitlabAResyncFollows) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  const json some_group = sim_->all("/api/v4/groups/acme/descendant_groups").at(0);
  const gl::Id group_id = some_group["id"];
  const json members = sim_->get("/api/v4/groups/" + std::to_string(group_id) + "/members");
  ASSERT_FALSE(members.empty());
  const json first_member = members[0]["id"];
  const gl::Id bound_project = bound_.begin()->first;
  const std::vector<std::pair<std::string, json>> changes = {
      {"members", {{"source", "group"}, {"id", group_id}, {"user_id", 4}, {"access_level", 40}}},
      {"members/remove", {{"source", "group"}, {"id", group_id}, {"user_id", first_member}}},
      {"members",
       {{"source", "project"}, {"id", bound_project}, {"user_id", 7}, {"access_level", 50}}},
      {"groups/rename", {{"id", group_id}, {"path", "renamed-team"}, {"name", "Renamed team"}}},
      {"visibility", {{"source", "project"}, {"id", bound_project}, {"visibility", "private"}}},
      {"users/block", {{"user_id", 5}}},
  };
  for (const auto& [what, body] : changes) {
    sim_->control(what, body);
    const Task t = full_sync();
    ASSERT_EQ(t.status, TaskStatus::kSuccess) << what << ": " << t.error_message.value_or("");
    if (what == "groups/rename") {
      EXPECT_EQ(t.counts.groups_renamed, 1);
    }
    SCOPED_TRACE("after " + what);
    expect_matches_gitlab();
  }
}

TEST_P(SyncIntegrationTest, AnEndpointThatAlwaysFailsFailsTheRunAndChangesNothing) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  sim_->control("members",
                {{"source", "group"}, {"id", "acme"}, {"user_id", 6}, {"access_level", 50}});
  sim_->control("faults", {{"fail_paths", {"/api/v4/projects/*/members"}}});
  const auto before = dump();
  const Task t = full_sync();
  EXPECT_EQ(t.status, TaskStatus::kFailed);
  ASSERT_TRUE(t.error_message);
  EXPECT_NE(t.error_message->find("/members"), std::string::npos) << *t.error_message;
  EXPECT_NE(t.error_message->find("nothing was changed"), std::string::npos);
  EXPECT_EQ(testing::describe_difference(before, dump()), "");
}

TEST_P(SyncIntegrationTest, TheGuardHoldsBackAMassDeactivationUntilConfirmed) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  configure({"umbrella"});  // most users are only in acme
  const auto before = store_->load_state();
  const Task held = full_sync();
  EXPECT_EQ(held.status, TaskStatus::kFailed);
  EXPECT_TRUE(held.held);
  ASSERT_TRUE(held.error_message);
  EXPECT_NE(held.error_message->find("deactivate"), std::string::npos);
  const auto after = store_->load_state();
  std::size_t active_before = 0, active_after = 0;
  for (const User& u : before->users) active_before += u.active ? 1 : 0;
  for (const User& u : after->users) active_after += u.active ? 1 : 0;
  EXPECT_EQ(active_after, active_before);

  auto confirmed = service_->confirm(held.id, "admin");
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->status, TaskStatus::kSuccess);
  EXPECT_EQ(confirmed->counts.users_deactivated, held.counts.users_deactivated);
  std::size_t active_confirmed = 0;
  const auto final_state = store_->load_state();
  for (const User& u : final_state->users) active_confirmed += u.active ? 1 : 0;
  EXPECT_EQ(active_confirmed,
            active_before - static_cast<std::size_t>(held.counts.users_deactivated));
}

}  // namespace
}  // namespace provisio::sync_test
