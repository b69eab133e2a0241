// SIGKILL while a sync writes its changes, at points the test chooses rather than guesses:
// `provisio sync` and `provisio serve` on a SQLite file run the first sync of world S from
// gitlab-sim with a test-only failpoint (src/store/apply_failpoint.hpp) that kills the process at
// a given row of the apply, inside its transaction, or just after its commit. A kill inside the
// transaction leaves every row as it was (a full dump, the task records aside); one after the
// commit leaves the new state. The next sync on the same machine takes the dead run over at once,
// although the lease is ten minutes: the run is FAILED ("Interrupted"), run again, and nothing
// is left IN_PROGRESS.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "database_dump.hpp"
#include "gitlab_sim_process.hpp"
#include "served_provisio.hpp"
#include "store/secret_box.hpp"
#include "store/store.hpp"
#include "sync/configuration.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

namespace fs = std::filesystem;

// What a sync owns, without what differs between two runs of the same sync (generated logins,
// uuids, times): users by GitLab id, groups by name, memberships, permissions, visibilities.
std::vector<std::string> owned_state(const AuthorizationState& s) {
  std::vector<std::string> out;
  std::map<UserId, std::string> user;
  std::map<GroupId, std::string> group;
  std::map<ProjectId, std::string> project;
  for (const User& u : s.users) {
    user[u.id] = u.external_id ? "gitlab:" + *u.external_id : "local:" + u.login;
    out.push_back("user " + user[u.id] + " active=" + std::to_string(u.active) + " managed=" +
                  std::to_string(u.managed) + " name=" + u.name + " email=" + u.email.value_or(""));
  }
  for (const Group& g : s.groups) {
    group[g.id] = g.name;
    out.push_back("group " + g.name + " managed=" + std::to_string(g.managed));
  }
  for (const Project& p : s.projects) {
    project[p.id] = p.key;
    out.push_back("project " + p.key + " " + std::string(to_string(p.visibility)));
  }
  for (const Membership& m : s.memberships) {
    out.push_back("member " + group[m.group_id] + " " + user[m.user_id]);
  }
  for (const PermissionGrant& g : s.permissions) {
    out.push_back("permission " + (g.project_id ? project[*g.project_id] : std::string("global")) +
                  " " + (g.user_id ? user[*g.user_id] : "group:" + group[*g.group_id]) + " " +
                  g.permission);
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Observed {
  std::vector<std::string> state;
  std::int64_t audit_rows = 0;
  std::vector<Task> tasks;  // oldest first
};

constexpr const char* kLease = "600";  // ten minutes: only the same-machine check is in time
constexpr int kKillPoints = 10;

class CrashSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.path() / "sim");
    sim_ = std::make_unique<GitlabSimProcess>(GITLAB_SIM_BINARY, (dir_.path() / "sim").string());
    data_ = (dir_.path() / "data").string();
    {
      // The first start makes the database, the key file and the administrator.
      ServedProvisio first(PROVISIO_BINARY, data_, log("first"),
                           {{"PROVISIO_ADMIN_PASSWORD", "crash-safety-admin-1"}});
      ASSERT_NE(first.port(), 0) << first.stderr_text();
      ASSERT_EQ(first.terminate(), 0);
    }
    {
      // Automatic provisioning of acme and umbrella, which queues the first sync.
      auto store = open();
      ASSERT_TRUE(store);
      SystemClock clock;
      sync::GitlabConfiguration config(*store, clock);
      auto changed =
          config.create_or_update(sim_->automatic_provisioning({"acme", "umbrella"}), "test");
      ASSERT_TRUE(changed) << changed.error().message;
      ASSERT_TRUE(changed->queued_sync);
    }
    fs::create_directories(dir_.path() / "before");
    for (const char* suffix : {"", "-wal", "-shm"}) {
      const fs::path file = fs::path(data_) / (std::string("provisio.db") + suffix);
      if (fs::exists(file)) fs::copy_file(file, dir_.path() / "before" / file.filename());
    }
    before_ = observe();
    before_dump_ = dump();
  }

  std::string log(const std::string& name) const {
    return (dir_.path() / (name + ".err")).string();
  }

  std::unique_ptr<store::Store> open() {
    auto box = store::SecretBox::open_key_file(data_ + "/secret.key");
    EXPECT_TRUE(box) << box.error().message;
    auto store =
        store::open_store(*store::parse_database_url("sqlite:" + data_ + "/provisio.db"), *box, 1);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
  }

  // Every row but the task records (the killed run's task is IN_PROGRESS: that is the point).
  DatabaseDump dump() const { return dump_database("sqlite:" + data_ + "/provisio.db", {"tasks"}); }

  Observed observe() {
    Observed o;
    auto store = open();
    auto state = store->load_state();
    EXPECT_TRUE(state) << state.error().message;
    o.state = owned_state(*state);
    o.audit_rows = store->list_audit({.page_size = 1})->total;
    o.tasks = store->list_tasks({.page_size = 100})->items;
    std::reverse(o.tasks.begin(), o.tasks.end());
    return o;
  }

  // The database as it was before the sync, with its pending first sync.
  void restore() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      fs::remove(fs::path(data_) / (std::string("provisio.db") + suffix));
      const fs::path saved = dir_.path() / "before" / (std::string("provisio.db") + suffix);
      if (fs::exists(saved)) fs::copy_file(saved, fs::path(data_) / saved.filename());
    }
  }

  // `provisio sync --json` with a ten-minute lease and `failpoint` (a test-only variable).
  Completed sync(const std::string& name, const EnvChanges& failpoint = {}) {
    EnvChanges env = failpoint;
    env["PROVISIO_SYNC_LEASE_SECONDS"] = kLease;
    return run_command(PROVISIO_BINARY,
                       {"sync", "--json", "--log-level", "info", "--data-dir", data_}, env,
                       log(name), std::chrono::minutes(4));
  }

  std::unique_ptr<ServedProvisio> serve(const std::string& name, const EnvChanges& failpoint = {}) {
    EnvChanges env = failpoint;
    env["PROVISIO_SYNC_LEASE_SECONDS"] = kLease;
    auto server = std::make_unique<ServedProvisio>(PROVISIO_BINARY, data_, log(name), env);
    EXPECT_NE(server->port(), 0) << server->stderr_text();
    return server;
  }

  // Polls the server's log until it holds `text`; false at the deadline.
  static bool wait_for_log(const ServedProvisio& server, const std::string& text,
                           std::chrono::seconds limit = std::chrono::seconds(120)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (server.stderr_text().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // The run a kill interrupted was taken over at once by the next one on this machine: FAILED as
  // interrupted by a process gone from this machine, the rerun SUCCESS, nothing IN_PROGRESS.
  static void expect_taken_over(const Observed& o) {
    ASSERT_EQ(o.tasks.size(), 2u);
    EXPECT_EQ(o.tasks[0].status, TaskStatus::kFailed);
    const std::string message = o.tasks[0].error_message.value_or("");
    EXPECT_EQ(message.rfind("Interrupted: the process running this task", 0), 0u) << message;
    EXPECT_NE(message.find("on this machine is gone"), std::string::npos) << message;
    EXPECT_NE(message.find("Task " + std::to_string(o.tasks[1].id) + " runs it again"),
              std::string::npos)
        << message;
    EXPECT_EQ(o.tasks[1].status, TaskStatus::kSuccess) << o.tasks[1].error_message.value_or("");
    for (const Task& t : o.tasks) EXPECT_NE(t.status, TaskStatus::kInProgress) << t.id;
  }

  TempDir dir_;
  std::unique_ptr<GitlabSimProcess> sim_;
  std::string data_;
  Observed before_;
  DatabaseDump before_dump_;
};

constexpr int kKilled = 128 + SIGKILL;  // what a child killed by SIGKILL "exits" with

std::string killed_at(std::int64_t row) {
  return "provisio: test failpoint: PROVISIO_TEST_KILL_AT_ROW: killing this process at row " +
         std::to_string(row) + " of an apply, inside its transaction";
}

TEST_F(CrashSafetyTest, KillsAtTenRowsOfTheApplyLeaveTheOldStateAndAKillAfterItsCommitTheNew) {
  // The sync run to its end once: the new state, and how many rows its apply writes.
  const Completed complete = sync("complete");
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_EQ(nlohmann::json::parse(complete.out).value("status", ""), "SUCCESS") << complete.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(complete.err, m, std::regex("apply [0-9.]+ s \\(([0-9]+) rows")))
      << complete.err;
  const std::int64_t rows = std::stoll(m[1]);
  ASSERT_GT(rows, 1'000) << "too small a change set to kill in ten places";
  const Observed after = observe();
  ASSERT_NE(after.state, before_.state);
  ASSERT_GT(after.audit_rows, before_.audit_rows);

  // Ten kills spread over the apply, each inside its transaction: not a row of it stays.
  for (int k = 1; k <= kKillPoints; ++k) {
    const std::int64_t row = rows * k / (kKillPoints + 1);
    SCOPED_TRACE("killed at row " + std::to_string(row) + " of " + std::to_string(rows));
    restore();
    const Completed killed =
        sync("kill" + std::to_string(k), {{"PROVISIO_TEST_KILL_AT_ROW", std::to_string(row)}});
    EXPECT_EQ(killed.exit_code, kKilled) << killed.err;
    EXPECT_NE(killed.err.find(killed_at(row)), std::string::npos) << killed.err;
    EXPECT_EQ(describe_difference(before_dump_, dump()), "");
    const Observed o = observe();
    ASSERT_EQ(o.tasks.size(), 1u);
    EXPECT_EQ(o.tasks[0].status, TaskStatus::kInProgress);  // the dead run's, until taken over
  }

  // A kill just after the commit, before the run records its outcome: the new state, whole. The
  // next sync takes the dead run over at once and finds nothing left to change.
  restore();
  const Completed committed = sync("kill-after-commit", {{"PROVISIO_TEST_KILL_AFTER_COMMIT", "1"}});
  EXPECT_EQ(committed.exit_code, kKilled) << committed.err;
  EXPECT_NE(committed.err.find("PROVISIO_TEST_KILL_AFTER_COMMIT: killing this process after an "
                               "apply's commit"),
            std::string::npos)
      << committed.err;
  const Observed o = observe();
  EXPECT_EQ(o.state, after.state) << "killed after the commit: not the new state";
  EXPECT_EQ(o.audit_rows, after.audit_rows);
  ASSERT_EQ(o.tasks.size(), 1u);
  EXPECT_EQ(o.tasks[0].status, TaskStatus::kInProgress);
  const Completed next = sync("after-commit-next");
  ASSERT_EQ(next.exit_code, 0) << next.err;
  const Observed recovered = observe();
  expect_taken_over(recovered);
  EXPECT_EQ(recovered.tasks[1].counts.users_created, 0);
  EXPECT_EQ(recovered.state, after.state);
  EXPECT_EQ(recovered.audit_rows, after.audit_rows);
}

TEST_F(CrashSafetyTest, ASyncKilledInsideItsApplyIsTakenOverAtOnceByTheNextSyncDespiteItsLease) {
  const Completed killed = sync("killed", {{"PROVISIO_TEST_KILL_AT_ROW", "500"}});
  ASSERT_EQ(killed.exit_code, kKilled) << killed.err;
  ASSERT_NE(killed.err.find(killed_at(500)), std::string::npos) << killed.err;
  const Observed dead = observe();
  ASSERT_EQ(dead.tasks.size(), 1u);
  ASSERT_EQ(dead.tasks[0].status, TaskStatus::kInProgress);
  ASSERT_TRUE(dead.tasks[0].lease_until && dead.tasks[0].started_at);
  EXPECT_EQ(*dead.tasks[0].lease_until - *dead.tasks[0].started_at, 600'000);
  EXPECT_GT(*dead.tasks[0].lease_until, SystemClock().now() + 500'000);  // far from expired

  // Had it waited for that lease, `provisio sync` would have failed at once ("another node is
  // running a synchronization").
  const Completed next = sync("next");
  ASSERT_EQ(next.exit_code, 0) << next.err;
  const auto answer = nlohmann::json::parse(next.out);
  EXPECT_EQ(answer.value("status", ""), "SUCCESS") << next.out;
  const Observed recovered = observe();
  expect_taken_over(recovered);
  EXPECT_EQ(answer.value("taskId", 0), recovered.tasks[1].id);
  EXPECT_GT(recovered.tasks[1].counts.users_created, 100);  // the whole first sync, run again
  EXPECT_NE(recovered.state, before_.state);
}

TEST_F(CrashSafetyTest, AServerKilledInsideItsApplyRetakesItsRunAtOnceWhenRestarted) {
  {
    // The server's worker runs the pending first sync and dies in its apply.
    auto server = serve("killed", {{"PROVISIO_TEST_KILL_AT_ROW", "500"}});
    EXPECT_EQ(server->wait(std::chrono::seconds(120)), kKilled) << server->stderr_text();
    EXPECT_NE(server->stderr_text().find(killed_at(500)), std::string::npos)
        << server->stderr_text();
  }
  const Observed dead = observe();
  ASSERT_EQ(dead.tasks.size(), 1u);
  ASSERT_EQ(dead.tasks[0].status, TaskStatus::kInProgress);
  EXPECT_EQ(describe_difference(before_dump_, dump()), "");
  {
    // Restarted with the same ten-minute lease: it takes its dead run over at its first look.
    auto server = serve("restarted");
    ASSERT_TRUE(wait_for_log(*server, "status=SUCCESS")) << server->stderr_text();
    ASSERT_EQ(server->terminate(), 0);
  }
  const Observed recovered = observe();
  expect_taken_over(recovered);
  EXPECT_GT(recovered.tasks[1].counts.users_created, 100);
}

}  // namespace
}  // namespace provisio::testing
