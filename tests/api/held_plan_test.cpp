// A plan the guard held back, through the API (issue 20, point 3): shown with its counts and its
// changes' causes; applied exactly once when confirmed; refused, with nothing written, when
// another task is pending or running (409: that task is left to its node, none is orphaned or
// left in progress) and when a synchronization has run since (the plan is stale).
#include "api_fixture.hpp"
#include "database_dump.hpp"

namespace provisio::api_test {
namespace {

constexpr std::string_view kHeldReason =
    "The plan would deactivate 1 of 1 managed users, more than the guard allows (10% or 500). "
    "Check the GitLab configuration, then confirm this plan to apply it.";

std::string confirm_path(TaskId id) {
  return "/api/v2/provisioning/plan/" + std::to_string(id) + "/confirm";
}

}  // namespace

class HeldPlanTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (IsSkipped()) return;
    make_managed_instance();
    finish_pending_tasks();
    jane_ = make_local_user("jane", "x", /*managed=*/true);
  }

  // A full sync that ran on node-a and whose plan, deactivating jane, the guard held back.
  TaskId hold_plan() {
    Task t;
    t.type = TaskType::kGitlabAuthProvisioning;
    t.submitter = "scheduler";
    t.submitted_at = clock_.now();
    auto queued = store_->enqueue_task(t, true);
    EXPECT_TRUE(queued) << queued.error().message;
    auto claimed = store_->claim_task("node-a", clock_.now(), 60'000);
    EXPECT_TRUE(claimed && *claimed && (*claimed)->id == queued->id);
    ChangeSet plan;
    User off = jane_;
    off.active = false;
    plan.users_to_update.push_back(off);
    plan.audit.push_back(audit_entry(clock_.now(), "sync", "user.deactivate", "user", "jane",
                                     "Name of jane <jane@example.com>",
                                     "Name of jane <jane@example.com> (deactivated)",
                                     "no longer a member of any group or project in the allowed "
                                     "groups"));
    EXPECT_TRUE(store_->save_held_plan(queued->id, plan));
    store::TaskOutcome held;
    held.status = TaskStatus::kFailed;
    held.held = true;
    held.error_message = std::string(kHeldReason);
    held.counts.users_deactivated = 1;
    held.counts.totals = SyncTotals{0, 0, 0};
    EXPECT_TRUE(store_->finish_task(queued->id, "node-a", clock_.now(), held));
    return queued->id;
  }

  // Another task of another kind, queued (an event sync: confirming does not queue those).
  Task queue_event_task() {
    Task t;
    t.type = TaskType::kGitlabEventProvisioning;
    t.submitter = "gitlab-events";
    t.submitted_at = clock_.now();
    auto queued = store_->enqueue_task(t, false);
    EXPECT_TRUE(queued) << queued.error().message;
    return *queued;
  }

  std::int64_t tasks_in(TaskStatus status) {
    store::TaskQuery q;
    q.statuses = {status};
    return store_->list_tasks(q)->total;
  }

  User jane_;
};

TEST_P(HeldPlanTest, IsShownWithItsCountsAndTheCauseOfEachChange) {
  const TaskId held = hold_plan();
  auto r = call(As::kAdmin, "GET", "/api/v2/provisioning/plan/" + std::to_string(held));
  ASSERT_EQ(r.status, 200) << r.body;
  const json plan = json::parse(r.body);
  EXPECT_EQ(plan["taskId"], std::to_string(held));
  EXPECT_EQ(plan["held"], kHeldReason);
  EXPECT_EQ(plan["counts"]["usersDeactivated"], 1);
  EXPECT_EQ(plan["totals"], json({{"users", 0}, {"groups", 0}, {"projects", 0}}));
  ASSERT_EQ(plan["changes"].size(), 1u);
  EXPECT_EQ(plan["changes"][0],
            json({{"action", "user.deactivate"},
                  {"entityType", "user"},
                  {"entity", "jane"},
                  {"before", "Name of jane <jane@example.com>"},
                  {"after", "Name of jane <jane@example.com> (deactivated)"},
                  {"cause", "no longer a member of any group or project in the allowed groups"}}));
  EXPECT_EQ(plan["page"], json({{"pageIndex", 1}, {"pageSize", 20}, {"total", 1}}));

  // The run history says it was held, with what it would do.
  const json task =
      json::parse(call(As::kAdmin, "GET", "/api/ce/task?id=" + std::to_string(held)).body)["task"];
  EXPECT_EQ(task["held"], true);
  EXPECT_EQ(task["counts"]["usersDeactivated"], 1);

  EXPECT_EQ(call(As::kAdmin, "GET", "/api/v2/provisioning/plan/abc").status, 400);
  EXPECT_EQ(call(As::kAdmin, "GET", "/api/v2/provisioning/plan/999999").status, 404);
  EXPECT_EQ(call(As::kUser, "GET", "/api/v2/provisioning/plan/" + std::to_string(held)).status,
            403);
}

TEST_P(HeldPlanTest, IsAppliedExactlyOnceWhenConfirmed) {
  const TaskId held = hold_plan();
  auto r = call(As::kAdmin, "POST", confirm_path(held));
  ASSERT_EQ(r.status, 200) << r.body;
  const json task = json::parse(r.body)["task"];
  EXPECT_EQ(task["status"], "SUCCESS");
  EXPECT_EQ(task["infoMessages"][0], "Applied the plan held back by task " + std::to_string(held));
  EXPECT_FALSE(store_->get_user(jane_.id)->active);
  EXPECT_EQ(tasks_in(TaskStatus::kInProgress), 0);
  EXPECT_EQ(tasks_in(TaskStatus::kPending), 0);
  // Applied: its plan is gone, and so is any way to apply it twice.
  EXPECT_EQ(call(As::kAdmin, "POST", confirm_path(held)).status, 404);
}

TEST_P(HeldPlanTest, ConfirmingWhileAnotherTaskIsPendingAnswers409AndChangesNothing) {
  const TaskId held = hold_plan();
  const Task waiting = queue_event_task();
  const auto before = testing::dump_database(url_);

  auto r = call(As::kAdmin, "POST", confirm_path(held));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(message(r), "Another synchronization is pending or running (Task " +
                            std::to_string(waiting.id) +
                            " is pending); nothing was applied. Confirm again when it has ended, "
                            "if its result still calls for this plan.");
  // The other task is still waiting for whichever node claims it: not taken, not orphaned; no
  // task of the confirmation was queued or left in progress; nothing applied.
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");
  const Task after = *store_->get_task(waiting.id);
  EXPECT_EQ(after.status, TaskStatus::kPending);
  EXPECT_FALSE(after.node_id);
  EXPECT_EQ(tasks_in(TaskStatus::kInProgress), 0);
  EXPECT_TRUE(store_->get_user(jane_.id)->active);

  // Once it has run, the plan is out of date: GitLab has changed since (it sent events).
  finish_pending_tasks();
  auto stale = call(As::kAdmin, "POST", confirm_path(held));
  EXPECT_EQ(stale.status, 400) << stale.body;
  EXPECT_TRUE(store_->get_user(jane_.id)->active);
}

TEST_P(HeldPlanTest, ConfirmingWhileAnotherTaskRunsAnswers409AndLeavesItToItsNode) {
  const TaskId held = hold_plan();
  const Task event = queue_event_task();
  auto running = store_->claim_task("node-b", clock_.now(), 60'000);
  ASSERT_TRUE(running && *running && (*running)->id == event.id);
  const auto before = testing::dump_database(url_);

  auto r = call(As::kAdmin, "POST", confirm_path(held));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(message(r).find("Task " + std::to_string(event.id) + " is running"), std::string::npos)
      << message(r);
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");
  const Task after = *store_->get_task(event.id);
  EXPECT_EQ(after.status, TaskStatus::kInProgress);
  EXPECT_EQ(after.node_id, "node-b") << "still held by its node";
  EXPECT_EQ(tasks_in(TaskStatus::kPending), 0) << "no confirmation task left queued";
  EXPECT_TRUE(store_->get_user(jane_.id)->active);
}

TEST_P(HeldPlanTest, AStalePlanIsRefusedAndNeverApplied) {
  const TaskId held = hold_plan();
  // Another full sync ran since: it read GitLab again (here, and found nothing to change).
  Task again;
  again.type = TaskType::kGitlabAuthProvisioning;
  again.submitter = "scheduler";
  auto queued = store_->enqueue_task(again, true);
  ASSERT_TRUE(queued);
  ASSERT_TRUE(*store_->claim_task("node-a", clock_.now(), 60'000));
  store::TaskOutcome nothing;
  nothing.status = TaskStatus::kSuccess;
  ASSERT_TRUE(store_->finish_task(queued->id, "node-a", clock_.now(), nothing));
  const auto before = testing::dump_database(url_);

  auto r = call(As::kAdmin, "POST", confirm_path(held));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(message(r), "The plan held back by task " + std::to_string(held) +
                            " is out of date: task " + std::to_string(queued->id) +
                            " has synchronized since. Nothing was applied; if the guard holds the "
                            "next synchronization back too, confirm its plan.");
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");
  EXPECT_TRUE(store_->get_user(jane_.id)->active);

  // The plan of the latest run can be confirmed.
  const TaskId latest = hold_plan();
  auto applied = call(As::kAdmin, "POST", confirm_path(latest));
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_FALSE(store_->get_user(jane_.id)->active);
}

INSTANTIATE_TEST_SUITE_P(Backends, HeldPlanTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace provisio::api_test
