// The task queue between nodes of one machine and of several: a task whose process is gone from
// this machine is taken over at once, whatever its lease says; a live holder on this machine, a
// holder on another machine and a holder recorded without an identity (an older version) keep
// their task until the lease runs out. Holders are real processes (sleeping_child.hpp) whose
// identity is written on the task as their own claim would have written it.
#include <sstream>

#include "sleeping_child.hpp"
#include "store/process_identity.hpp"
#include "store_fixture.hpp"

namespace provisio::store {
namespace {

constexpr Millis kLongLease = 600'000;

Task full_sync() {
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = "admin";
  return t;
}

}  // namespace

class TakeoverTest : public StoreTest {
 protected:
  // Queues a full sync and lets "node-a" claim it at 1'000 with a ten-minute lease, as if the
  // process `holder` had claimed it (empty: as a version that recorded no identity).
  Task claimed_by(const std::optional<std::string>& holder) {
    auto queued = store_->enqueue_task(full_sync(), true);
    EXPECT_TRUE(queued);
    auto claimed = store_->claim_task("node-a", 1'000, kLongLease);
    EXPECT_TRUE(claimed && *claimed);
    auto session = raw_session();
    const long long id = queued->id;
    soci::indicator ind = holder ? soci::i_ok : soci::i_null;
    const std::string process = holder.value_or("");
    *session << "UPDATE tasks SET node_process = :p WHERE id = :id", soci::use(process, ind),
        soci::use(id);
    return **claimed;
  }

  std::optional<std::string> process_of(TaskId task) {
    auto session = raw_session();
    std::string process;
    soci::indicator ind = soci::i_null;
    const long long id = task;
    *session << "SELECT node_process FROM tasks WHERE id = :id", soci::use(id),
        soci::into(process, ind);
    return ind == soci::i_ok ? std::optional<std::string>(process) : std::nullopt;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, TakeoverTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

TEST_P(TakeoverTest, AClaimRecordsTheIdentityOfTheClaimingProcess) {
  ASSERT_TRUE(store_->enqueue_task(full_sync(), true));
  auto claimed = store_->claim_task("node-a", 1'000, kLongLease);
  ASSERT_TRUE(claimed && *claimed);
  EXPECT_EQ(process_of((*claimed)->id), this_process());
  EXPECT_FALSE(this_process().empty());
}

TEST_P(TakeoverTest, ATaskWhoseProcessIsGoneFromThisMachineIsTakenOverAtOnce) {
  testing::SleepingChild holder;
  const Task t = claimed_by(process_identity(holder.pid()));
  auto node_b = open();
  // Alive: its ten-minute lease keeps the task.
  EXPECT_FALSE(*node_b->claim_task("node-b", 2'000, kLongLease));
  holder.kill();
  // Gone: a second later, long before the lease ends, node B ends the run and runs it again.
  auto by_b = node_b->claim_task("node-b", 3'000, kLongLease);
  ASSERT_TRUE(by_b) << by_b.error().message;
  ASSERT_TRUE(*by_b);
  EXPECT_NE((*by_b)->id, t.id);
  EXPECT_EQ((*by_b)->type, TaskType::kGitlabAuthProvisioning);
  EXPECT_EQ((*by_b)->node_id, "node-b");
  EXPECT_EQ((*by_b)->lease_until, 3'000 + kLongLease);
  EXPECT_EQ(process_of((*by_b)->id), this_process());
  const auto interrupted = store_->get_task(t.id);
  ASSERT_TRUE(interrupted);
  EXPECT_EQ(interrupted->status, TaskStatus::kFailed);
  EXPECT_EQ(interrupted->finished_at, 3'000);
  EXPECT_EQ(interrupted->error_message,
            "Interrupted: the process running this task (node-a) on this machine is gone (it was "
            "killed or crashed). Its changes are written in one transaction, so all of them or "
            "none were written. Task " +
                std::to_string((*by_b)->id) + " runs it again.");
  // Nothing else is in progress.
  EXPECT_EQ(store_->list_tasks({.statuses = {TaskStatus::kInProgress}})->total, 1);
}

TEST_P(TakeoverTest, AKilledHolderNotYetReapedIsGoneToo) {
  testing::SleepingChild holder;
  const Task t = claimed_by(process_identity(holder.pid()));
  holder.kill(/*reap=*/false);
  auto by_b = open()->claim_task("node-b", 2'000, kLongLease);
  ASSERT_TRUE(by_b && *by_b);
  EXPECT_EQ(store_->get_task(t.id)->status, TaskStatus::kFailed);
}

TEST_P(TakeoverTest, AHolderOnAnotherMachineKeepsItsTaskUntilItsLeaseRunsOut) {
  testing::SleepingChild holder;
  std::istringstream fields(process_identity(holder.pid()));
  std::string boot, ns, pid, start;
  fields >> boot >> ns >> pid >> start;
  // The same pid on another machine: this one cannot tell whether it runs, so it waits.
  const Task t = claimed_by("0f6e3a4c-boot-of-another-machine " + ns + " " + pid + " " + start);
  holder.kill();
  auto node_b = open();
  EXPECT_FALSE(*node_b->claim_task("node-b", 2'000, kLongLease));
  EXPECT_FALSE(*node_b->claim_task("node-b", 1'000 + kLongLease, kLongLease));
  auto by_b = node_b->claim_task("node-b", 1'000 + kLongLease + 1, kLongLease);
  ASSERT_TRUE(by_b && *by_b);
  EXPECT_NE(store_->get_task(t.id)->error_message.value_or("").find("stopped renewing its lease"),
            std::string::npos);
}

TEST_P(TakeoverTest, AHolderRecordedWithoutIdentityKeepsItsTaskUntilItsLeaseRunsOut) {
  const Task t = claimed_by(std::nullopt);  // claimed by a version before the identity
  auto node_b = open();
  EXPECT_FALSE(*node_b->claim_task("node-b", 2'000, kLongLease));
  auto by_b = node_b->claim_task("node-b", 1'000 + kLongLease + 1, kLongLease);
  ASSERT_TRUE(by_b && *by_b);
  EXPECT_EQ(store_->get_task(t.id)->status, TaskStatus::kFailed);
}

TEST_P(TakeoverTest, ALiveHolderOnThisMachineKeepsItsTaskUntilItsLeaseRunsOut) {
  // Alive but silent (paused, say): the lease still decides, as between machines.
  testing::SleepingChild holder;
  const Task t = claimed_by(process_identity(holder.pid()));
  auto node_b = open();
  EXPECT_FALSE(*node_b->claim_task("node-b", 1'000 + kLongLease, kLongLease));
  auto by_b = node_b->claim_task("node-b", 1'000 + kLongLease + 1, kLongLease);
  ASSERT_TRUE(by_b && *by_b);
  EXPECT_NE(store_->get_task(t.id)->error_message.value_or("").find("stopped renewing its lease"),
            std::string::npos);
}

}  // namespace provisio::store
