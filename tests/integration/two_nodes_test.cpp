// Two server nodes on one PostgreSQL database: the real `provisio serve` twice (the same database
// URL and the same key file), syncing world S from gitlab-sim. One trigger runs exactly one sync
// whichever node receives it; a leader killed (SIGKILL) in the middle of a run loses its task to
// the other node once its lease expires, and nothing is applied twice. The hourly schedule is
// checked in-process: two nodes' workers on one database, with a clock the test moves.
#include <gtest/gtest.h>

#include <boost/beast/core/detail/base64.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "gitlab/curl_transport.hpp"
#include "gitlab_sim_process.hpp"
#include "postgres_cluster.hpp"
#include "served_provisio.hpp"
#include "store/secret_box.hpp"
#include "store/store.hpp"
#include "sync/configuration.hpp"
#include "sync/worker.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAdminPassword = "two-nodes-admin-1";

std::string basic_auth(const std::string& credentials) {
  std::string out(boost::beast::detail::base64::encoded_size(credentials.size()), '\0');
  out.resize(
      boost::beast::detail::base64::encode(out.data(), credentials.data(), credentials.size()));
  return "Basic " + out;
}

// Polls `done` every 50 ms until it holds; false at the deadline.
template <typename F>
bool eventually(F done, std::chrono::seconds limit = std::chrono::seconds(120)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class TwoNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (PostgresCluster::disabled()) GTEST_SKIP() << "PROVISIO_TEST_PG=0";
    static int n = 0;
    url_ = PostgresCluster::shared()->create_database("nodes" + std::to_string(::getpid()) + "_" +
                                                      std::to_string(n++));
    fs::create_directories(dir_.path() / "sim");
    sim_ = std::make_unique<GitlabSimProcess>(GITLAB_SIM_BINARY, (dir_.path() / "sim").string());
  }

  std::string data(const std::string& node) const { return (dir_.path() / node).string(); }

  // Node "a" makes the schema, the administrator and the key file; "b" gets a copy of the key,
  // as docs/postgresql-and-nodes.md says.
  std::unique_ptr<ServedProvisio> start(const std::string& node) {
    if (node != "a" && !fs::exists(data(node) + "/secret.key")) {
      fs::create_directories(data(node));
      fs::copy_file(data("a") + "/secret.key", data(node) + "/secret.key");
      fs::permissions(data(node) + "/secret.key", fs::perms::owner_read | fs::perms::owner_write);
    }
    auto server = std::make_unique<ServedProvisio>(
        PROVISIO_BINARY, data(node), (dir_.path() / (node + ".err")).string(),
        EnvChanges{{"PROVISIO_ADMIN_PASSWORD", kAdminPassword},
                   {"PROVISIO_SYNC_LEASE_SECONDS", "2"}},
        std::vector<std::string>{"--db", url_});
    EXPECT_NE(server->port(), 0) << server->stderr_text();
    return server;
  }

  std::unique_ptr<store::Store> open() {
    auto box = store::SecretBox::open_key_file(data("a") + "/secret.key");
    EXPECT_TRUE(box) << box.error().message;
    auto store = store::open_store(*store::parse_database_url(url_), *box, 2);
    EXPECT_TRUE(store) << store.error().message;
    return std::move(*store);
  }

  // Automatic provisioning of acme and umbrella: queues the first sync.
  void enable_automatic_provisioning(store::Store& store, const Clock& clock) {
    sync::GitlabConfiguration config(store, clock);
    auto changed =
        config.create_or_update(sim_->automatic_provisioning({"acme", "umbrella"}), "test");
    ASSERT_TRUE(changed) << changed.error().message;
  }

  std::vector<Task> tasks(store::Store& store) {
    auto page = store.list_tasks({.page_size = 100});
    EXPECT_TRUE(page);
    std::vector<Task> out = page->items;
    std::reverse(out.begin(), out.end());  // oldest first
    return out;
  }

  static bool all_finished(const std::vector<Task>& ts) {
    for (const Task& t : ts) {
      if (t.status == TaskStatus::kPending || t.status == TaskStatus::kInProgress) return false;
    }
    return !ts.empty();
  }

  std::int64_t audit_rows_of(store::Store& store, TaskId task) {
    store::AuditQuery q;
    q.task_id = task;
    q.page_size = 1;
    return store.list_audit(q)->total;
  }

  TempDir dir_;
  std::string url_;
  std::unique_ptr<GitlabSimProcess> sim_;
};

TEST_F(TwoNodesTest, OneTriggerRunsExactlyOneSyncWhicheverNodeReceivesIt) {
  auto a = start("a");
  auto b = start("b");
  auto store = open();
  SystemClock clock;
  enable_automatic_provisioning(*store, clock);
  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store)); }));
  auto first = tasks(*store);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].status, TaskStatus::kSuccess) << first[0].error_message.value_or("");
  EXPECT_GT(first[0].counts.users_created, 100);
  EXPECT_GT(audit_rows_of(*store, first[0].id), 0);

  // "Synchronize now" on both nodes at the same moment: one of them queues the sync.
  const std::string path = "/api/v2/dop-translation/gitlab-synchronization-runs";
  const std::map<std::string, std::string> headers{
      {"Authorization", basic_auth(std::string("admin:") + kAdminPassword)},
      {"Content-Type", "application/json"}};
  int status_a = 0, status_b = 0;
  std::thread on_a(
      [&] { status_a = HttpClient(a->port()).request("POST", path, "{}", headers).status; });
  std::thread on_b(
      [&] { status_b = HttpClient(b->port()).request("POST", path, "{}", headers).status; });
  on_a.join();
  on_b.join();
  EXPECT_TRUE(status_a == 202 || status_b == 202) << status_a << " " << status_b;
  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store)); }));
  const auto after = tasks(*store);
  if (status_a == 202 && status_b == 202) {
    // Both accepted only if the first sync had ended before the second request came: then they
    // are two runs one after the other, never at once.
    ASSERT_EQ(after.size(), 3u);
    EXPECT_GE(*after[2].started_at, *after[1].finished_at);
  } else {
    ASSERT_EQ(after.size(), 2u);
    EXPECT_GE(status_a == 202 ? status_b : status_a, 400);
  }
  for (std::size_t i = 1; i < after.size(); ++i) {
    EXPECT_EQ(after[i].status, TaskStatus::kSuccess) << after[i].error_message.value_or("");
    EXPECT_EQ(after[i].counts.users_created, 0);  // already applied: nothing twice
    EXPECT_EQ(audit_rows_of(*store, after[i].id), 0);
  }
  EXPECT_EQ(a->terminate(), 0);
  EXPECT_EQ(b->terminate(), 0);
}

TEST_F(TwoNodesTest, AKilledLeadersTaskIsTakenOverAfterItsLeaseExpiresWithoutADoubleApply) {
  // GitLab slow enough that the run is surely still reading it when its node dies.
  sim_->control("faults", {{"latency_ms", 100}});
  std::map<std::string, std::unique_ptr<ServedProvisio>> nodes;
  nodes["a"] = start("a");
  nodes["b"] = start("b");
  auto store = open();
  SystemClock clock;
  enable_automatic_provisioning(*store, clock);
  Task running;
  ASSERT_TRUE(eventually([&] {
    const auto ts = tasks(*store);
    if (ts.empty() || ts[0].status != TaskStatus::kInProgress) return false;
    running = ts[0];
    return true;
  }));
  ASSERT_TRUE(running.node_id);
  std::string leader, other;
  for (const auto& [name, server] : nodes) {
    const std::string pid = ":" + std::to_string(server->pid());
    const std::string& id = *running.node_id;
    (id.size() >= pid.size() && id.compare(id.size() - pid.size(), pid.size(), pid) == 0 ? leader
                                                                                         : other) =
        name;
  }
  ASSERT_FALSE(leader.empty()) << "no node has the id " << *running.node_id;
  nodes[leader]->kill();
  sim_->control("faults", {{"latency_ms", 0}});

  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store)); }))
      << nodes[other]->stderr_text();
  const auto ts = tasks(*store);
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0].status, TaskStatus::kFailed);
  EXPECT_NE(ts[0].error_message.value_or("").find("Interrupted"), std::string::npos)
      << ts[0].error_message.value_or("");
  EXPECT_NE(ts[0].error_message.value_or("").find(*running.node_id), std::string::npos);
  EXPECT_EQ(ts[1].status, TaskStatus::kSuccess) << ts[1].error_message.value_or("");
  EXPECT_NE(ts[1].node_id, running.node_id);
  // The dead leader wrote nothing; the new run wrote everything, once.
  EXPECT_EQ(audit_rows_of(*store, ts[0].id), 0);
  auto state = store->load_state();
  ASSERT_TRUE(state);
  std::set<std::string> gitlab_ids;
  std::int64_t managed = 0;
  for (const User& u : state->users) {
    if (!u.managed) continue;
    ++managed;
    EXPECT_TRUE(gitlab_ids.insert(u.external_id.value_or("")).second) << *u.external_id;
  }
  EXPECT_EQ(ts[1].counts.users_created, managed);
  EXPECT_EQ(nodes[other]->terminate(), 0);
}

TEST_F(TwoNodesTest, TheHourlyScheduleRunsOneSyncPerHourAcrossNodes) {
  // Two nodes' sync sides in this process, each with its own connections to the database, and a
  // clock that moves only when the test says.
  ManualClock clock(1'800'000'000'000);
  {
    auto first = start("a");  // the schema and the key file
    ASSERT_EQ(first->terminate(), 0);
  }
  auto store_a = open();
  auto store_b = open();
  std::vector<std::unique_ptr<sync::SyncService>> services;
  std::vector<std::unique_ptr<sync::Worker>> workers;
  for (auto* s : {store_a.get(), store_b.get()}) {
    sync::SyncOptions options;
    options.node_id = s == store_a.get() ? "node-a" : "node-b";
    services.push_back(std::make_unique<sync::SyncService>(
        *s, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock, options));
    workers.push_back(
        std::make_unique<sync::Worker>(*s, *services.back(), clock, std::chrono::milliseconds(20)));
  }
  enable_automatic_provisioning(*store_a, clock);
  for (auto& w : workers) w->start();
  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store_a)); }));

  for (int hour = 1; hour <= 3; ++hour) {
    SCOPED_TRACE("hour " + std::to_string(hour));
    const std::size_t before = tasks(*store_a).size();
    // Not yet due: both workers tick many times and queue nothing.
    clock.advance(sync::kSyncInterval - 60'000);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(tasks(*store_a).size(), before);
    // Due: exactly one of the two queues it, and one runs it.
    clock.advance(60'000);
    ASSERT_TRUE(eventually([&] {
      const auto ts = tasks(*store_a);
      return ts.size() > before && all_finished(ts);
    }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // room for a second one
    const auto ts = tasks(*store_a);
    ASSERT_EQ(ts.size(), before + 1);
    EXPECT_EQ(ts.back().submitter, "scheduler");
    EXPECT_EQ(ts.back().status, TaskStatus::kSuccess) << ts.back().error_message.value_or("");
  }
  for (auto& w : workers) w->stop();
}

}  // namespace
}  // namespace provisio::testing
