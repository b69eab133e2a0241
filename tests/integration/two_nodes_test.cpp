// Two server nodes on one PostgreSQL database: the real `provisio serve` twice (the same database
// URL and the same key file), syncing world S from gitlab-sim. One trigger runs exactly one sync
// whichever node receives it; a leader killed (SIGKILL) in the middle of a run loses its task to
// the other node: once its lease expires when the two look to each other like different machines
// (PROVISIO_TEST_BOOT_ID), at once when they share this one; nothing is applied twice. The hourly
// schedule is checked in-process: two nodes' workers on one database, with a clock the test moves.
#include <gtest/gtest.h>

#include <boost/beast/core/detail/base64.hpp>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
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

// A run whose node was killed: the task as it was just after the kill, and the node left.
struct KilledRun {
  Task task;
  std::string survivor;
};

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
  // as docs/postgresql-and-nodes.md says. `lease_seconds` is PROVISIO_SYNC_LEASE_SECONDS;
  // `machine`, when given, makes the node look as if it ran on a machine of that name.
  std::unique_ptr<ServedProvisio> start(const std::string& node, int lease_seconds = 120,
                                        const std::optional<std::string>& machine = {}) {
    if (node != "a" && !fs::exists(data(node) + "/secret.key")) {
      fs::create_directories(data(node));
      fs::copy_file(data("a") + "/secret.key", data(node) + "/secret.key");
      fs::permissions(data(node) + "/secret.key", fs::perms::owner_read | fs::perms::owner_write);
    }
    auto server = std::make_unique<ServedProvisio>(
        PROVISIO_BINARY, data(node), (dir_.path() / (node + ".err")).string(),
        EnvChanges{{"PROVISIO_ADMIN_PASSWORD", kAdminPassword},
                   {"PROVISIO_SYNC_LEASE_SECONDS", std::to_string(lease_seconds)},
                   {"PROVISIO_TEST_BOOT_ID", machine}},
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

  KilledRun kill_the_leader(std::map<std::string, std::unique_ptr<ServedProvisio>>& nodes,
                            store::Store& store);
  std::vector<Task> expect_run_again_once(store::Store& store, const KilledRun& killed);

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
  std::map<std::string, std::unique_ptr<ServedProvisio>> nodes;
  nodes["a"] = start("a");
  nodes["b"] = start("b");
  auto store = open();
  SystemClock clock;
  enable_automatic_provisioning(*store, clock);
  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store)); }));
  auto first = tasks(*store);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].status, TaskStatus::kSuccess) << first[0].error_message.value_or("");
  EXPECT_GT(first[0].counts.users_created, 100);
  EXPECT_GT(audit_rows_of(*store, first[0].id), 0);

  // "Synchronize now" sent to both nodes at the same moment, while the test, as a third node,
  // runs a task of its own: the sync one node queues stays pending until the test ends its task,
  // so the other node's request surely finds it, however slow or fast the machine. The test takes
  // its task while both nodes are down, so that neither can claim it first.
  for (auto& [name, node] : nodes) ASSERT_EQ(node->terminate(), 0) << name;
  Task holder;
  holder.type = TaskType::kGitlabProjectPermissionsProvisioning;
  holder.submitter = "test";
  ASSERT_TRUE(store->enqueue_task(holder, false));
  const auto held = store->claim_task("test-node", clock.now(), 600'000);
  ASSERT_TRUE(held && *held);
  nodes["a"] = start("a");
  nodes["b"] = start("b");
  const std::string path = "/api/v2/dop-translation/gitlab-synchronization-runs";
  const std::map<std::string, std::string> headers{
      {"Authorization", basic_auth(std::string("admin:") + kAdminPassword)},
      {"Content-Type", "application/json"}};
  std::map<std::string, ClientResponse> answers;
  std::mutex answers_mutex;
  std::vector<std::thread> senders;
  for (const auto& [name, node] : nodes) {
    senders.emplace_back([&, name = name, port = node->port()] {
      ClientResponse r = HttpClient(port).request("POST", path, "{}", headers);
      std::lock_guard lock(answers_mutex);
      answers[name] = std::move(r);
    });
  }
  for (auto& t : senders) t.join();
  std::multiset<int> statuses;
  for (const auto& [name, r] : answers) statuses.insert(r.status);
  ASSERT_EQ(statuses, (std::multiset<int>{202, 409})) << answers["a"].body << answers["b"].body;
  for (const auto& [name, r] : answers) {
    if (r.status == 409) {
      EXPECT_NE(r.body.find("already pending or running"), std::string::npos) << r.body;
    }
  }
  const auto queued = tasks(*store);
  ASSERT_EQ(queued.size(), 3u);
  EXPECT_EQ(queued[2].type, TaskType::kGitlabAuthProvisioning);
  EXPECT_EQ(queued[2].status, TaskStatus::kPending);

  // The test's task ends; one node runs the queued sync, once, and it finds nothing to change.
  ASSERT_TRUE(store->finish_task((*held)->id, "test-node", clock.now(), {}));
  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store)); }));
  const auto after = tasks(*store);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[2].status, TaskStatus::kSuccess) << after[2].error_message.value_or("");
  EXPECT_EQ(after[2].counts.users_created, 0);
  EXPECT_EQ(audit_rows_of(*store, after[2].id), 0);
  for (auto& [name, node] : nodes) EXPECT_EQ(node->terminate(), 0) << name;
}

// Starts the first sync on a slow GitLab (automatic provisioning enabled) and kills the node that
// runs it. Returns the task as it was just after the kill (its last lease) and the node left.

KilledRun TwoNodesTest::kill_the_leader(
    std::map<std::string, std::unique_ptr<ServedProvisio>>& nodes, store::Store& store) {
  KilledRun out;
  // GitLab slow enough that the run is surely still reading it when its node dies.
  sim_->control("faults", {{"latency_ms", 100}});
  SystemClock clock;
  enable_automatic_provisioning(store, clock);
  Task running;
  EXPECT_TRUE(eventually([&] {
    const auto ts = tasks(store);
    if (ts.empty() || ts[0].status != TaskStatus::kInProgress) return false;
    running = ts[0];
    return true;
  }));
  if (!running.node_id) {
    ADD_FAILURE() << "no run started";
    return out;
  }
  std::string leader;
  for (const auto& [name, server] : nodes) {
    const std::string pid = ":" + std::to_string(server->pid());
    const std::string& id = *running.node_id;
    (id.size() >= pid.size() && id.compare(id.size() - pid.size(), pid.size(), pid) == 0
         ? leader
         : out.survivor) = name;
  }
  EXPECT_FALSE(leader.empty()) << "no node has the id " << *running.node_id;
  if (leader.empty()) return out;
  const Task before_kill = tasks(store).at(0);
  nodes[leader]->kill();
  // With the lease its last heartbeat set. A node on the same machine may already have ended the
  // run, which clears the lease, by the time we look again (CI saw it on a loaded machine): then
  // the lease read just before the kill stands.
  out.task = tasks(store).at(0);
  if (!out.task.lease_until) out.task = before_kill;
  sim_->control("faults", {{"latency_ms", 0}});
  return out;
}

// After a leader was killed: its run FAILED as interrupted, run again by the survivor, and every
// user created once (the dead run wrote no audit row). Returns the two tasks.
std::vector<Task> TwoNodesTest::expect_run_again_once(store::Store& store,
                                                      const KilledRun& killed) {
  const auto ts = tasks(store);
  EXPECT_EQ(ts.size(), 2u);
  if (ts.size() != 2u) return ts;
  EXPECT_EQ(ts[0].status, TaskStatus::kFailed);
  EXPECT_NE(ts[0].error_message.value_or("").find("Interrupted"), std::string::npos)
      << ts[0].error_message.value_or("");
  EXPECT_NE(ts[0].error_message.value_or("").find(*killed.task.node_id), std::string::npos);
  EXPECT_EQ(ts[1].status, TaskStatus::kSuccess) << ts[1].error_message.value_or("");
  EXPECT_NE(ts[1].node_id, killed.task.node_id);
  EXPECT_EQ(audit_rows_of(store, ts[0].id), 0);
  auto state = store.load_state();
  EXPECT_TRUE(state);
  if (!state) return ts;
  std::set<std::string> gitlab_ids;
  std::int64_t managed = 0;
  for (const User& u : state->users) {
    if (!u.managed) continue;
    ++managed;
    EXPECT_TRUE(gitlab_ids.insert(u.external_id.value_or("")).second) << *u.external_id;
  }
  EXPECT_EQ(ts[1].counts.users_created, managed);
  return ts;
}

TEST_F(TwoNodesTest, AKilledLeadersTaskIsTakenOverFromAnotherMachineOnceItsLeaseExpires) {
  // Two machines as far as the nodes can tell, and a lease of 10 s (a heartbeat every 1.7 s).
  std::map<std::string, std::unique_ptr<ServedProvisio>> nodes;
  nodes["a"] = start("a", 10, "boot-of-machine-a");
  nodes["b"] = start("b", 10, "boot-of-machine-b");
  auto store = open();
  const KilledRun killed = kill_the_leader(nodes, *store);
  ASSERT_FALSE(killed.survivor.empty());
  ASSERT_TRUE(killed.task.lease_until);
  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store)); }))
      << nodes[killed.survivor]->stderr_text();
  const auto ts = expect_run_again_once(*store, killed);
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_NE(ts[0].error_message.value_or("").find("stopped renewing its lease"), std::string::npos)
      << ts[0].error_message.value_or("");
  // The other machine could not tell the leader was dead: it waited for the lease to run out.
  EXPECT_GT(*ts[0].finished_at, *killed.task.lease_until);
  EXPECT_EQ(nodes[killed.survivor]->terminate(), 0);
}

TEST_F(TwoNodesTest, ANodeOnTheSameMachineTakesOverAKilledNodesRunAtOnce) {
  // A ten-minute lease, far longer than this test may run: only the same-machine check can end
  // the dead node's run in time.
  std::map<std::string, std::unique_ptr<ServedProvisio>> nodes;
  nodes["a"] = start("a", 600);
  nodes["b"] = start("b", 600);
  auto store = open();
  const KilledRun killed = kill_the_leader(nodes, *store);
  ASSERT_FALSE(killed.survivor.empty());
  ASSERT_TRUE(killed.task.lease_until);
  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store)); }))
      << nodes[killed.survivor]->stderr_text();
  const auto ts = expect_run_again_once(*store, killed);
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_NE(ts[0].error_message.value_or("").find("on this machine is gone"), std::string::npos)
      << ts[0].error_message.value_or("");
  EXPECT_LT(*ts[0].finished_at, *killed.task.lease_until);
  EXPECT_EQ(nodes[killed.survivor]->terminate(), 0);
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
  // Two whole looks of each worker that began after the call: whatever either would do at the
  // clock's time, it has done.
  const auto both_looked_twice = [&] {
    std::vector<std::uint64_t> at;
    for (auto& w : workers) at.push_back(w->rounds());
    return eventually([&] {
      for (std::size_t i = 0; i < workers.size(); ++i) {
        if (workers[i]->rounds() < at[i] + 2) return false;
      }
      return true;
    });
  };
  enable_automatic_provisioning(*store_a, clock);
  for (auto& w : workers) w->start();
  ASSERT_TRUE(eventually([&] { return all_finished(tasks(*store_a)); }));

  for (int hour = 1; hour <= 3; ++hour) {
    SCOPED_TRACE("hour " + std::to_string(hour));
    const std::size_t before = tasks(*store_a).size();
    // Not yet due: both workers look twice after the clock moved, and queue nothing.
    clock.advance(sync::kSyncInterval - 60'000);
    ASSERT_TRUE(both_looked_twice());
    EXPECT_EQ(tasks(*store_a).size(), before);
    // Due: exactly one of the two queues it, and one runs it.
    clock.advance(60'000);
    ASSERT_TRUE(eventually([&] {
      const auto ts = tasks(*store_a);
      return ts.size() > before && all_finished(ts);
    }));
    ASSERT_TRUE(both_looked_twice());  // room for a second one, had either queued it
    const auto ts = tasks(*store_a);
    ASSERT_EQ(ts.size(), before + 1);
    EXPECT_EQ(ts.back().submitter, "scheduler");
    EXPECT_EQ(ts.back().status, TaskStatus::kSuccess) << ts.back().error_message.value_or("");
  }
  for (auto& w : workers) w->stop();
}

}  // namespace
}  // namespace provisio::testing
