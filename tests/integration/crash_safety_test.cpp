// SIGKILL while a sync writes its changes: the real `provisio serve` on a SQLite file runs the
// first sync of world S from gitlab-sim and is killed at seeded random points of its apply phase
// (from the log line that announces the one write transaction to three times its measured
// length). After each kill the database holds exactly the state before the sync or the state
// after it, never a mix; after a restart the interrupted task is marked failed once its lease
// expires, and the sync runs again to the new state.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <random>
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

constexpr const char* kApplyStarts = "writing the changes in one transaction";
constexpr int kIterations = 12;
constexpr unsigned kSeed = 20261129;

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
    before_dump_ = dump_database("sqlite:" + data_ + "/provisio.db", {"tasks"});
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

  std::unique_ptr<ServedProvisio> start(const std::string& name) {
    auto server = std::make_unique<ServedProvisio>(
        PROVISIO_BINARY, data_, log(name), EnvChanges{{"PROVISIO_SYNC_LEASE_SECONDS", "2"}});
    EXPECT_NE(server->port(), 0) << server->stderr_text();
    return server;
  }

  // Polls the server's log until it holds `text`; false at the deadline.
  static bool wait_for_log(const ServedProvisio& server, const std::string& text,
                           std::chrono::seconds limit = std::chrono::seconds(120)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (server.stderr_text().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<GitlabSimProcess> sim_;
  std::string data_;
  Observed before_;
  DatabaseDump before_dump_;
};

TEST_F(CrashSafetyTest, AKillWhileApplyingLeavesTheOldStateOrTheNewOneAndTheRunIsRetried) {
  // The sync run to its end once: the new state, and how long its write transaction takes.
  Observed after;
  double apply_s = 0;
  {
    auto server = start("complete");
    ASSERT_TRUE(wait_for_log(*server, "status=SUCCESS")) << server->stderr_text();
    std::smatch m;
    const std::string text = server->stderr_text();
    ASSERT_TRUE(std::regex_search(text, m, std::regex("apply ([0-9.]+) s \\(([0-9]+) rows")))
        << text;
    apply_s = std::stod(m[1]);
    EXPECT_GT(std::stoll(m[2]), 1'000) << "too small a change set to kill in the middle";
    ASSERT_EQ(server->terminate(), 0);
    after = observe();
    ASSERT_NE(after.state, before_.state);
    ASSERT_GT(after.audit_rows, before_.audit_rows);
  }

  std::mt19937 random(kSeed);
  // Kill points from the announcement of the transaction to three times its measured length (so
  // that some land after the commit, before or after the outcome is recorded); the last
  // iteration kills at once, so the run is surely interrupted before the restart below.
  std::uniform_int_distribution<int> delay_ms(0, static_cast<int>(apply_s * 3'000) + 1);
  int old_states = 0, new_states = 0;
  for (int i = 0; i <= kIterations; ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i) + " of seed " + std::to_string(kSeed));
    restore();
    const int delay = i == kIterations ? 0 : delay_ms(random);
    {
      auto server = start("kill" + std::to_string(i));
      ASSERT_TRUE(wait_for_log(*server, kApplyStarts)) << server->stderr_text();
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      server->kill();
    }
    const Observed o = observe();
    if (o.state == before_.state) {
      ++old_states;
      EXPECT_EQ(o.audit_rows, before_.audit_rows);
      // Not a row written: the same database as before, the task records aside.
      EXPECT_EQ(describe_difference(before_dump_,
                                    dump_database("sqlite:" + data_ + "/provisio.db", {"tasks"})),
                "");
    } else {
      ++new_states;
      EXPECT_EQ(o.state, after.state) << "killed " << delay << " ms into the apply: a mix";
      EXPECT_EQ(o.audit_rows, after.audit_rows);
    }
  }
  std::cout << "kills leaving the old state: " << old_states << ", the new state: " << new_states
            << " (apply " << apply_s << " s)" << std::endl;

  // After a restart, the run the last kill interrupted is marked failed once its lease expires,
  // and the sync runs again to its end.
  const Observed killed = observe();
  ASSERT_EQ(killed.tasks.size(), 1u);
  ASSERT_EQ(killed.tasks[0].status, TaskStatus::kInProgress);
  {
    auto server = start("restart");
    ASSERT_TRUE(wait_for_log(*server, "status=SUCCESS")) << server->stderr_text();
    ASSERT_EQ(server->terminate(), 0);
  }
  const Observed recovered = observe();
  ASSERT_EQ(recovered.tasks.size(), 2u);
  EXPECT_EQ(recovered.tasks[0].status, TaskStatus::kFailed);
  EXPECT_NE(recovered.tasks[0].error_message.value_or("").find("Interrupted"), std::string::npos)
      << recovered.tasks[0].error_message.value_or("");
  EXPECT_EQ(recovered.tasks[1].status, TaskStatus::kSuccess);
  EXPECT_EQ(recovered.state, after.state);
  EXPECT_EQ(recovered.audit_rows, after.audit_rows);
}

}  // namespace
}  // namespace provisio::testing
