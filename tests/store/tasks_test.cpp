#include <latch>
#include <thread>

#include "store_fixture.hpp"

namespace provisio::store {
namespace {

Task full_sync(const std::string& who = "admin") {
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = who;
  return t;
}

constexpr Millis kLease = 30'000;

}  // namespace

TEST_P(StoreTest, QueuesAndRefusesASecondPendingSync) {
  auto t = store_->enqueue_task(full_sync(), true);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->status, TaskStatus::kPending);
  auto again = store_->enqueue_task(full_sync(), true);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(store_->enqueue_task(full_sync(), false));  // when asked, queue anyway
}

TEST_P(StoreTest, ARunningTaskIsHeldByOneNodeOnly) {
  auto node_b = open();
  auto t = store_->enqueue_task(full_sync(), true);
  auto claimed = store_->claim_task("node-a", 1'000, kLease);
  ASSERT_TRUE(claimed) << claimed.error().message;
  ASSERT_TRUE(*claimed);
  EXPECT_EQ((*claimed)->id, t->id);
  EXPECT_EQ((*claimed)->status, TaskStatus::kInProgress);
  EXPECT_EQ((*claimed)->node_id, "node-a");

  // Another node, even with a task of its own queued, cannot start while A's lease lives.
  ASSERT_TRUE(node_b->enqueue_task(full_sync("b"), false));
  auto by_b = node_b->claim_task("node-b", 2'000, kLease);
  ASSERT_TRUE(by_b);
  EXPECT_FALSE(*by_b);
  EXPECT_EQ(node_b->heartbeat_task(t->id, "node-b", 2'000, kLease).error().code,
            ErrorCode::kAborted);
  EXPECT_EQ(node_b->finish_task(t->id, "node-b", 2'000, {}).error().code, ErrorCode::kAborted);

  // A keeps its lease alive; B still cannot take the task.
  ASSERT_TRUE(store_->heartbeat_task(t->id, "node-a", 20'000, kLease));
  EXPECT_FALSE(*node_b->claim_task("node-b", 40'000, kLease));
}

TEST_P(StoreTest, ATaskStartedAtOnceIsHeldByItsNodeAndRefusedWhileAnotherIsQueuedOrRuns) {
  auto node_b = open();
  // Task 1 ran and ended: starting after it is fine while nothing else has run since.
  auto first = store_->enqueue_task(full_sync("scheduler"), true);
  ASSERT_TRUE(*store_->claim_task("node-a", 1'000, kLease));
  ASSERT_TRUE(store_->finish_task(first->id, "node-a", 2'000, {}));

  // Another task queued (of another kind): refused, and that task is left as it was.
  Task event = full_sync("gitlab-events");
  event.type = TaskType::kGitlabEventProvisioning;
  auto queued = node_b->enqueue_task(event, false);
  auto refused = store_->start_task(full_sync("admin"), first->id, "node-a", 3'000, kLease);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(refused.error().message, "Task " + std::to_string(queued->id) + " is pending.");
  EXPECT_EQ(store_->get_task(queued->id)->status, TaskStatus::kPending);
  EXPECT_FALSE(store_->get_task(queued->id)->node_id);

  // Running on node B: refused, and B keeps it.
  ASSERT_TRUE(*node_b->claim_task("node-b", 4'000, kLease));
  refused = store_->start_task(full_sync("admin"), first->id, "node-a", 5'000, kLease);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "Task " + std::to_string(queued->id) + " is running.");
  EXPECT_EQ(store_->get_task(queued->id)->node_id, "node-b");
  EXPECT_EQ(store_->list_tasks({})->total, 2) << "nothing was queued";

  // Once it has run, what was computed after task 1 is out of date.
  ASSERT_TRUE(node_b->finish_task(queued->id, "node-b", 6'000, {}));
  refused = store_->start_task(full_sync("admin"), first->id, "node-a", 7'000, kLease);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.error().message, "Task " + std::to_string(queued->id) + " has run since task " +
                                         std::to_string(first->id) + ".");

  // After the latest: started at once, held by this node, and nobody claims another meanwhile.
  auto started = store_->start_task(full_sync("admin"), queued->id, "node-a", 8'000, kLease);
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(started->status, TaskStatus::kInProgress);
  EXPECT_EQ(started->node_id, "node-a");
  EXPECT_EQ(started->started_at, 8'000);
  EXPECT_EQ(started->submitter, "admin");
  ASSERT_TRUE(node_b->enqueue_task(full_sync("b"), false));
  EXPECT_FALSE(*node_b->claim_task("node-b", 9'000, kLease));
  ASSERT_TRUE(store_->finish_task(started->id, "node-a", 10'000, {}));
}

TEST_P(StoreTest, ARunsTotalsAreKeptAndAbsentWhenNotRecorded) {
  auto with = store_->enqueue_task(full_sync(), true);
  ASSERT_TRUE(*store_->claim_task("node-a", 1'000, kLease));
  TaskOutcome covered;
  covered.counts.users_created = 2;
  covered.counts.totals = SyncTotals{120, 43, 4};
  ASSERT_TRUE(store_->finish_task(with->id, "node-a", 2'000, covered));
  const Task read = *store_->get_task(with->id);
  EXPECT_EQ(read.counts.totals, (SyncTotals{120, 43, 4}));
  EXPECT_EQ(read.counts.users_created, 2);

  auto without = store_->enqueue_task(full_sync(), true);
  EXPECT_FALSE(without->counts.totals) << "a queued task has none";
  ASSERT_TRUE(*store_->claim_task("node-a", 3'000, kLease));
  ASSERT_TRUE(store_->finish_task(without->id, "node-a", 4'000, {}));
  EXPECT_FALSE(store_->get_task(without->id)->counts.totals);
  store::TaskQuery q;
  q.statuses = {TaskStatus::kSuccess};
  const auto listed = store_->list_tasks(q);
  ASSERT_EQ(listed->items.size(), 2u);
  EXPECT_FALSE(listed->items[0].counts.totals);
  EXPECT_EQ(listed->items[1].counts.totals, (SyncTotals{120, 43, 4}));
}

TEST_P(StoreTest, ADeadNodesTaskIsMarkedFailedAndRunAgainAfterItsLeaseExpires) {
  auto node_b = open();
  Task project_sync = full_sync("alice");
  project_sync.type = TaskType::kGitlabProjectPermissionsProvisioning;
  project_sync.project_id = 42;
  auto t = store_->enqueue_task(project_sync, true);
  ASSERT_TRUE(*store_->claim_task("node-a", 1'000, kLease));
  // Within the lease, nobody else may touch it.
  EXPECT_FALSE(*node_b->claim_task("node-b", 1'000 + kLease, kLease));
  // Node A dies: no heartbeat. Past the lease, B ends A's run as FAILED and runs the same work
  // again as a new task.
  auto by_b = node_b->claim_task("node-b", 1'000 + kLease + 1, kLease);
  ASSERT_TRUE(by_b && *by_b);
  EXPECT_NE((*by_b)->id, t->id);
  EXPECT_EQ((*by_b)->node_id, "node-b");
  EXPECT_EQ((*by_b)->status, TaskStatus::kInProgress);
  EXPECT_EQ((*by_b)->type, TaskType::kGitlabProjectPermissionsProvisioning);
  EXPECT_EQ((*by_b)->project_id, 42);
  EXPECT_EQ((*by_b)->submitter, "alice");
  auto interrupted = store_->get_task(t->id);
  EXPECT_EQ(interrupted->status, TaskStatus::kFailed);
  EXPECT_EQ(interrupted->finished_at, 1'000 + kLease + 1);
  EXPECT_FALSE(interrupted->lease_until);
  ASSERT_TRUE(interrupted->error_message);
  EXPECT_NE(interrupted->error_message->find("node-a"), std::string::npos);
  EXPECT_NE(
      interrupted->error_message->find("Task " + std::to_string((*by_b)->id) + " runs it again"),
      std::string::npos)
      << *interrupted->error_message;
  // A wakes up: it has lost the task and can neither renew it nor record an outcome.
  EXPECT_EQ(store_->heartbeat_task(t->id, "node-a", 40'000, kLease).error().code,
            ErrorCode::kAborted);
  EXPECT_EQ(store_->finish_task(t->id, "node-a", 40'000, {}).error().code, ErrorCode::kAborted);
  TaskOutcome done;
  done.status = TaskStatus::kSuccess;
  done.info_messages = {"3 users created"};
  done.warnings = {"2 bots skipped"};
  done.counts.users_created = 3;
  ASSERT_TRUE(node_b->finish_task((*by_b)->id, "node-b", 50'000, done));
  auto finished = store_->get_task((*by_b)->id);
  EXPECT_EQ(finished->status, TaskStatus::kSuccess);
  EXPECT_EQ(finished->finished_at, 50'000);
  EXPECT_EQ(finished->info_messages, done.info_messages);
  EXPECT_EQ(finished->warnings, done.warnings);
  EXPECT_EQ(finished->counts, done.counts);
  EXPECT_FALSE(finished->lease_until);
  EXPECT_EQ(store_->get_task(t->id)->status, TaskStatus::kFailed);
}

// A node paused (not dead) past its lease wakes up with its plan computed: once another node took
// the task over, none of that plan may be written.
TEST_P(StoreTest, AChangeSetIsNotCommittedForATaskAnotherNodeTookOver) {
  auto node_b = open();
  auto t = store_->enqueue_task(full_sync(), true);
  ASSERT_TRUE(t);
  ASSERT_TRUE(*store_->claim_task("node-a", 1'000, kLease));
  ChangeSet changes;
  Group g;
  g.uuid = "fenced-group-uuid";
  g.name = "fenced";
  changes.groups_to_create.push_back(g);
  // A node that does not hold the task writes nothing.
  EXPECT_EQ(node_b->apply_for_task(changes, t->id, "node-b").error().code, ErrorCode::kAborted);
  EXPECT_EQ(store_->find_group_by_name("fenced").error().code, ErrorCode::kNotFound);
  // B takes the task over after A's lease; A's write is then refused, and nothing of it stays.
  auto by_b = node_b->claim_task("node-b", 1'000 + kLease + 1, kLease);
  ASSERT_TRUE(by_b && *by_b);
  const auto refused = store_->apply_for_task(changes, t->id, "node-a");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kAborted);
  EXPECT_NE(refused.error().message.find("another node took it over"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(store_->find_group_by_name("fenced").error().code, ErrorCode::kNotFound);
  // The task B runs now is B's to write.
  ASSERT_TRUE(node_b->apply_for_task(changes, (*by_b)->id, "node-b"));
  EXPECT_TRUE(store_->find_group_by_name("fenced"));
}

TEST_P(StoreTest, ConcurrentClaimsFromManyNodesGiveTheTaskToExactlyOne) {
  ASSERT_TRUE(store_->enqueue_task(full_sync(), true));
  constexpr int kNodes = 6;
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(open(1));
  std::atomic<int> winners{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      auto c = nodes[i]->claim_task("node-" + std::to_string(i), 1'000, kLease);
      if (!c) {
        ++errors;
      } else if (*c) {
        ++winners;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(winners.load(), 1);
}

// "Synchronize now" sent to several nodes at the same instant: each node asks its own Store to
// queue the sync only if none is pending or running, released together by a latch. Exactly one
// queues it, every time; the others are told which one is waiting.
TEST_P(StoreTest, ConcurrentEnqueuesFromManyNodesQueueExactlyOneSync) {
  constexpr int kNodes = 6;
  constexpr int kRounds = 4;
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(open(1));
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::latch start(kNodes);
    std::vector<Result<Task>> results(kNodes, make_error(ErrorCode::kInternal, "not run"));
    std::vector<std::thread> threads;
    for (int i = 0; i < kNodes; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = nodes[i]->enqueue_task(full_sync("node-" + std::to_string(i)), true);
      });
    }
    for (auto& t : threads) t.join();
    std::vector<TaskId> queued;
    int refused = 0;
    for (const auto& r : results) {
      if (r) {
        queued.push_back(r->id);
      } else {
        EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists) << r.error().message;
        refused += r.error().code == ErrorCode::kAlreadyExists ? 1 : 0;
      }
    }
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(refused, kNodes - 1);
    for (const auto& r : results) {
      if (!r) {
        EXPECT_NE(r.error().message.find("task " + std::to_string(queued[0])), std::string::npos)
            << r.error().message;
      }
    }
    auto pending = store_->list_tasks({.statuses = {TaskStatus::kPending}});
    ASSERT_EQ(pending->total, 1);
    // It runs and ends; the next round starts from an idle queue.
    auto claimed = store_->claim_task("runner", 1'000 * (round + 1), kLease);
    ASSERT_TRUE(claimed && *claimed);
    EXPECT_EQ((*claimed)->id, queued[0]);
    ASSERT_TRUE(store_->finish_task(queued[0], "runner", 1'000 * (round + 1) + 1, {}));
  }
}

// GitLab events reaching several nodes at once become one pending event sync, whose scope is the
// union of theirs.
TEST_P(StoreTest, ConcurrentEventsFromManyNodesMergeIntoOnePendingTask) {
  constexpr int kNodes = 6;
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(open(1));
  std::latch start(kNodes);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      SyncScope scope;
      scope.groups = {100 + i};
      scope.users = {i};
      start.arrive_and_wait();
      if (!nodes[i]->queue_event_scope(scope, "gitlab-events", 1'000, 1'000)) ++errors;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  auto all = store_->list_tasks({});
  ASSERT_EQ(all->total, 1);
  const Task& t = all->items.front();
  EXPECT_EQ(t.type, TaskType::kGitlabEventProvisioning);
  EXPECT_EQ(t.status, TaskStatus::kPending);
  ASSERT_TRUE(t.scope);
  EXPECT_EQ(t.scope->groups, (std::set<std::int64_t>{100, 101, 102, 103, 104, 105}));
  EXPECT_EQ(t.scope->users, (std::set<std::int64_t>{0, 1, 2, 3, 4, 5}));
}

// A member event's scope names (group or project, user) pairs; they survive the queue, merge
// with the next events' and come back with the task, beside the whole sources.
TEST_P(StoreTest, MemberEventScopesAreKeptAndMerged) {
  SyncScope first;
  first.group_members = {{100, 7}};
  ASSERT_TRUE(store_->queue_event_scope(first, "gitlab-events", 1'000, 1'000));
  SyncScope second;
  second.group_members = {{100, 8}};
  second.project_members = {{300, 7}};
  second.projects = {301};
  auto merged = store_->queue_event_scope(second, "gitlab-events", 1'001, 1'000);
  ASSERT_TRUE(merged) << merged.error().message;
  const auto read = store_->get_task(merged->id);
  ASSERT_TRUE(read && read->scope);
  EXPECT_EQ(read->scope->group_members, (std::set<SourceMember>{{100, 7}, {100, 8}}));
  EXPECT_EQ(read->scope->project_members, (std::set<SourceMember>{{300, 7}}));
  EXPECT_EQ(read->scope->projects, (std::set<std::int64_t>{301}));
  EXPECT_TRUE(read->scope->groups.empty());
}

// What an event sync's cache of member lists catches up on: the syncs queued after a task, up
// to another, in order, whatever their status.
TEST_P(StoreTest, ListsTheSyncsQueuedBetweenTwoTasks) {
  std::vector<TaskId> ids;
  for (int i = 0; i < 3; ++i) {
    SyncScope scope;
    scope.group_members = {{100 + i, 7}};
    auto t = store_->queue_event_scope(scope, "gitlab-events", 1'000 + i, 1'000);
    ASSERT_TRUE(t) << t.error().message;
    ids.push_back(t->id);
    // Each claimed, so that the next event queues a task of its own.
    auto claimed = store_->claim_task("n", 2'000 + i, kLease);
    ASSERT_TRUE(claimed && *claimed);
    ASSERT_TRUE(store_->finish_task(t->id, "n", 2'001 + i, {}));
  }
  auto full = store_->enqueue_task(full_sync(), false);
  ASSERT_TRUE(full);
  auto between = store_->syncs_between(ids[0], full->id);
  ASSERT_TRUE(between) << between.error().message;
  ASSERT_EQ(between->size(), 3u);
  EXPECT_EQ((*between)[0].id, ids[1]);
  ASSERT_TRUE((*between)[0].scope);
  EXPECT_EQ((*between)[0].scope->group_members, (std::set<SourceMember>{{101, 7}}));
  EXPECT_EQ((*between)[1].id, ids[2]);
  EXPECT_EQ((*between)[2].type, TaskType::kGitlabAuthProvisioning);
  EXPECT_TRUE(store_->syncs_between(full->id, full->id)->empty());
}

TEST_P(StoreTest, ListsTasksNewestFirstWithFilters) {
  auto a = store_->enqueue_task(full_sync(), false);
  Task per_project = full_sync();
  per_project.type = TaskType::kGitlabProjectPermissionsProvisioning;
  per_project.project_id = 5;
  auto b = store_->enqueue_task(per_project, false);
  ASSERT_TRUE(*store_->claim_task("n", 1'000, kLease));
  TaskOutcome failed;
  failed.status = TaskStatus::kFailed;
  failed.error_message = "GitLab unreachable";
  ASSERT_TRUE(store_->finish_task(a->id, "n", 2'000, failed));
  auto all = store_->list_tasks({});
  ASSERT_EQ(all->total, 2);
  EXPECT_EQ(all->items.front().id, b->id);
  auto failed_only = store_->list_tasks({.statuses = {TaskStatus::kFailed}});
  ASSERT_EQ(failed_only->total, 1);
  EXPECT_EQ(failed_only->items.front().error_message, "GitLab unreachable");
  EXPECT_EQ(failed_only->items.front().execution_time_ms(), 1'000);
  auto per = store_->list_tasks({.type = TaskType::kGitlabProjectPermissionsProvisioning});
  ASSERT_EQ(per->total, 1);
  EXPECT_EQ(per->items.front().project_id, 5);
}

TEST_P(StoreTest, AuditEntriesAreFiltered) {
  std::vector<AuditEntry> entries;
  for (int i = 0; i < 5; ++i) {
    AuditEntry e;
    e.at = 1'000 + i;
    e.actor = i < 3 ? "sync" : "admin";
    e.action = "user.create";
    e.entity_type = "user";
    e.entity = "user" + std::to_string(i);
    e.after = "active";
    e.cause = "direct member of group team";
    if (i < 3) e.task_id = 9;
    entries.push_back(e);
  }
  ASSERT_TRUE(store_->append_audit(entries));
  EXPECT_EQ(store_->list_audit({})->total, 5);
  auto by_task = store_->list_audit({.task_id = 9});
  EXPECT_EQ(by_task->total, 3);
  EXPECT_EQ(by_task->items.front().cause, "direct member of group team");
  EXPECT_EQ(store_->list_audit({.actor = "admin"})->total, 2);
  EXPECT_EQ(store_->list_audit({.since = 1'003})->total, 2);
  EXPECT_EQ(store_->list_audit({.entity = "user1"})->items.at(0).at, 1'001);
}

TEST_P(StoreTest, AuditEntriesAboutOneUserAndPagesOfThem) {
  const auto entry = [](Millis at, std::string type, std::string entity) {
    AuditEntry e;
    e.at = at;
    e.actor = "sync";
    e.action = type + ".change";
    e.entity_type = std::move(type);
    e.entity = std::move(entity);
    return e;
  };
  ASSERT_TRUE(store_->append_audit({
      entry(1, "user", "ann_1"),
      entry(2, "membership", "acme/web/ann_1"),
      entry(3, "permission", "app/ann_1/codeviewer"),
      entry(4, "permission", "(global)/ann_1/gateadmin"),
      // Not about ann_1: another login that ends or starts the same way, '_' as a wildcard, a
      // group named like the login, other letter case.
      entry(5, "user", "ann_10"),
      entry(6, "membership", "acme/xann_1"),
      entry(7, "membership", "annx1/bob"),
      entry(8, "permission", "app/ann_1x/user"),
      entry(9, "group", "ann_1"),
      entry(10, "user", "ANN_1"),
  }));
  auto about = store_->list_audit({.user = "ann_1"});
  ASSERT_TRUE(about) << about.error().message;
  EXPECT_EQ(about->total, 4);
  std::vector<Millis> at;
  for (const AuditEntry& e : about->items) at.push_back(e.at);
  EXPECT_EQ(at, (std::vector<Millis>{4, 3, 2, 1}));  // newest first
  // With the other filters, and paged.
  EXPECT_EQ(store_->list_audit({.user = "ann_1", .since = 2, .until = 4})->total, 2);
  auto page = store_->list_audit({.user = "ann_1", .page_index = 2, .page_size = 3});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 4);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].at, 1);
  EXPECT_EQ(store_->list_audit({.user = "nobody"})->total, 0);
}

}  // namespace provisio::store
