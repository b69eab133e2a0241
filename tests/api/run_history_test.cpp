// The runs of a sync through api/ce/activity and api/ce/task: pending, in progress, finished.
#include "api_fixture.hpp"

namespace provisio::api_test {

TEST_P(ApiTest, TheRunHistoryShowsARunPendingInProgressAndFinished) {
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = "admin";
  t.submitted_at = 1'700'000'000'000;
  auto queued = store_->enqueue_task(t, true);
  ASSERT_TRUE(queued);
  const std::string id = std::to_string(queued->id);

  auto activity = [&](const std::string& query = "") {
    auto r = call(As::kAdmin, "GET", "/api/ce/activity" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  };
  json pending = activity()["tasks"][0];
  EXPECT_EQ(pending["id"], id);
  EXPECT_EQ(pending["type"], "GITLAB_AUTH_PROVISIONING");
  EXPECT_EQ(pending["status"], "PENDING");
  EXPECT_EQ(pending["submittedAt"], "2023-11-14T22:13:20+0000");
  EXPECT_TRUE(pending["startedAt"].is_null());
  EXPECT_TRUE(pending["executedAt"].is_null());
  EXPECT_TRUE(pending["executionTimeMs"].is_null());
  EXPECT_TRUE(pending["errorMessage"].is_null());
  EXPECT_EQ(pending["warnings"], json::array());
  EXPECT_EQ(pending["infoMessages"], json::array());
  std::vector<std::string> keys;
  const auto ordered =
      nlohmann::ordered_json::parse(call(As::kAdmin, "GET", "/api/ce/activity").body);
  for (const auto& [k, v] : ordered["tasks"][0].items()) keys.push_back(k);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"id", "type", "status", "submittedAt", "startedAt",
                                      "executedAt", "executionTimeMs", "errorMessage", "warnings",
                                      "infoMessages", "progress", "held", "counts", "totals"}));
  EXPECT_TRUE(pending["progress"].is_null());
  EXPECT_EQ(pending["held"], false);
  EXPECT_TRUE(pending["counts"].is_null()) << "nothing to count before it ends";
  EXPECT_TRUE(pending["totals"].is_null());

  ASSERT_TRUE(*store_->claim_task("node-a", 1'700'000'001'000, 60'000));
  json running = activity("?status=IN_PROGRESS")["tasks"][0];
  EXPECT_EQ(running["status"], "IN_PROGRESS");
  EXPECT_EQ(running["startedAt"], "2023-11-14T22:13:21+0000");
  EXPECT_TRUE(activity("?status=PENDING")["tasks"].empty());
  EXPECT_TRUE(running["progress"].is_null()) << "nothing reported yet";
  // The progress the running sync reported, as the page polls it.
  ASSERT_TRUE(store_->set_task_progress(queued->id, "node-a",
                                        {"reading GitLab: group members", 40, 100, 3000}));
  EXPECT_EQ(activity("?status=IN_PROGRESS")["tasks"][0]["progress"],
            json({{"phase", "reading GitLab: group members"},
                  {"pagesRead", 40},
                  {"pagesExpected", 100},
                  {"etaMs", 3000}}));
  EXPECT_FALSE(store_->set_task_progress(queued->id, "node-b", {"x", 1, {}, {}}))
      << "only the node holding the task reports its progress";

  store::TaskOutcome outcome;
  outcome.status = TaskStatus::kFailed;
  outcome.info_messages = {"3 users created"};
  outcome.warnings = {"2 bots skipped"};
  outcome.error_message = "GitLab did not answer in time.";
  outcome.counts.gitlab_requests = 12;
  ASSERT_TRUE(store_->finish_task(queued->id, "node-a", 1'700'000'003'500, outcome));
  json done = json::parse(call(As::kAdmin, "GET", "/api/ce/task?id=" + id).body)["task"];
  EXPECT_EQ(done["status"], "FAILED");
  EXPECT_EQ(done["executedAt"], "2023-11-14T22:13:23+0000");
  EXPECT_EQ(done["executionTimeMs"], 2500);
  EXPECT_EQ(done["errorMessage"], "GitLab did not answer in time.");
  EXPECT_EQ(done["warnings"], json({"2 bots skipped"}));
  EXPECT_EQ(done["infoMessages"], json({"3 users created"}));
  EXPECT_TRUE(done["progress"].is_null()) << "an ended task shows no progress";
  EXPECT_EQ(done["counts"]["gitlabRequests"], 12);
  EXPECT_EQ(done["counts"]["usersCreated"], 0);
  EXPECT_TRUE(done["totals"].is_null()) << "a run that read nothing covered nothing";
  EXPECT_EQ(activity("?status=SUCCESS,FAILED&type=GITLAB_AUTH_PROVISIONING")["paging"]["total"], 1);
  EXPECT_EQ(activity("?type=GITLAB_PROJECT_PERMISSIONS_PROVISIONING")["paging"]["total"], 0);
  EXPECT_EQ(call(As::kAdmin, "GET", "/api/ce/task?id=999999").status, 404);
  EXPECT_EQ(call(As::kAdmin, "GET", "/api/ce/activity?status=DONE").status, 400);
}

TEST_P(ApiTest, ARunThatChangedNothingStillSaysHowMuchItCovered) {
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = "scheduler";
  auto queued = store_->enqueue_task(t, true);
  ASSERT_TRUE(queued);
  ASSERT_TRUE(*store_->claim_task("node-a", clock_.now(), 60'000));
  store::TaskOutcome quiet;
  quiet.status = TaskStatus::kSuccess;
  quiet.counts.gitlab_requests = 40;
  quiet.counts.totals = SyncTotals{120, 43, 4};
  ASSERT_TRUE(store_->finish_task(queued->id, "node-a", clock_.now(), quiet));
  const json task = json::parse(
      call(As::kAdmin, "GET", "/api/ce/activity?type=GITLAB_AUTH_PROVISIONING").body)["tasks"][0];
  EXPECT_EQ(task["totals"], json({{"users", 120}, {"groups", 43}, {"projects", 4}}));
  EXPECT_EQ(task["counts"]["usersCreated"], 0);
  EXPECT_EQ(task["counts"]["membershipsAdded"], 0);
  EXPECT_EQ(task["held"], false);
}

}  // namespace provisio::api_test
