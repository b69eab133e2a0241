// The progress a running full sync writes on its task: the phase, the GitLab pages read, the
// count the last successful run needed and an ETA; and none left once it has ended. World S
// from gitlab-sim over loopback with some latency, so that the run lasts long enough to watch.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "child_process.hpp"
#include "gitlab/curl_transport.hpp"
#include "sync/configuration.hpp"
#include "sync/progress.hpp"
#include "sync/sync_service.hpp"
#include "temp_dir.hpp"

namespace provisio {
namespace {

using namespace std::chrono_literals;

TEST(SyncProgressEstimate, GuessesTheTimeLeftOnlyWithABasis) {
  EXPECT_EQ(estimate_time_left(10'000, 25, 100), 30'000);
  EXPECT_EQ(estimate_time_left(10'000, 0, 100), std::nullopt);
  EXPECT_EQ(estimate_time_left(10'000, 25, std::nullopt), std::nullopt);
  EXPECT_EQ(estimate_time_left(10'000, 120, 100), std::nullopt) << "more than expected: no guess";
  sync::SyncProgress p;
  p.set_phase("computing the changes");
  p.page_read();
  EXPECT_EQ(p.read(1'000, 10).eta_ms, std::nullopt) << "only while reading GitLab";
  p.set_phase("reading GitLab: group members");
  EXPECT_EQ(p.read(1'000, 10), (TaskProgress{"reading GitLab: group members", 1, 10, 9'000}));
}

TEST(SyncProgress, ARunningSyncReportsItsProgressOnItsTask) {
  testing::TempDir dir;
  const std::string world = (dir.path() / "s.json").string();
  testing::ChildProcess gen(PROVISIO_GITLAB_SIM, {"generate", "--preset", "S", "--output", world},
                            {}, (dir.path() / "generate.err").string());
  ASSERT_EQ(gen.wait(60s), 0);
  testing::ChildProcess sim(PROVISIO_GITLAB_SIM,
                            {"serve", "--world", world, "--port", "0", "--latency-ms", "100"}, {},
                            (dir.path() / "sim.err").string());
  std::string sim_url;
  while (auto line = sim.read_line(30s)) {
    const auto at = line->find("http://");
    if (at != std::string::npos) {
      sim_url = line->substr(at);
      break;
    }
  }
  ASSERT_FALSE(sim_url.empty()) << "gitlab-sim did not start";

  auto opened =
      store::open_store(*store::parse_database_url("sqlite:" + (dir.path() / "p.db").string()),
                        std::make_shared<store::SecretBox>(store::SecretBox::Key{4}));
  ASSERT_TRUE(opened);
  auto& store = **opened;
  ASSERT_TRUE(store.migrate());
  SystemClock clock;
  sync::SyncOptions options;
  options.node_id = "test-node";
  options.progress_ms = 20;
  sync::SyncService service(
      store, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock, options);
  sync::GitlabConfigPatch patch;
  patch.url = sim_url;
  patch.secret = "oauth-secret";
  patch.application_id = "sim-client-id";
  patch.provisioning_type = ProvisioningType::kAutoProvisioning;
  patch.provisioning_token = "sim-admin-token";
  patch.allowed_groups = std::vector<std::string>{"acme", "umbrella"};
  ASSERT_TRUE(sync::GitlabConfiguration(store, clock).create_or_update(patch, "test"));

  const auto full_sync = [&]() -> Task {
    (void)service.request_full("test");
    auto ran = service.run_next();
    EXPECT_TRUE(ran && *ran);
    return ran && *ran ? **ran : Task{};
  };
  const Task first = full_sync();
  ASSERT_EQ(first.status, TaskStatus::kSuccess) << first.error_message.value_or("");
  ASSERT_GT(first.counts.gitlab_requests, 0);

  // The second run, watched from another thread as the status handler would read it.
  std::atomic<bool> done{false};
  std::vector<TaskProgress> seen;
  std::thread watcher([&] {
    while (!done) {
      store::TaskQuery q;
      q.statuses = {TaskStatus::kInProgress};
      if (auto running = store.list_tasks(q); running && !running->items.empty()) {
        const auto& p = running->items[0].progress;
        if (p && (seen.empty() || !(seen.back() == *p))) seen.push_back(*p);
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  const Task second = full_sync();
  done = true;
  watcher.join();
  ASSERT_EQ(second.status, TaskStatus::kSuccess) << second.error_message.value_or("");

  ASSERT_FALSE(seen.empty()) << "no progress was reported while the sync ran";
  bool reading = false, with_eta = false;
  std::int64_t pages = 0;
  for (const TaskProgress& p : seen) {
    EXPECT_EQ(p.pages_expected, first.counts.gitlab_requests);
    EXPECT_GE(p.pages_read, pages) << "pages read never go back";
    pages = p.pages_read;
    if (p.phase.rfind("reading GitLab: ", 0) == 0 && p.pages_read > 0) reading = true;
    if (p.eta_ms) with_eta = true;
  }
  EXPECT_TRUE(reading) << seen.back().phase;
  EXPECT_TRUE(with_eta);
  EXPECT_LE(pages, second.counts.gitlab_requests);
  auto ended = store.get_task(second.id);
  ASSERT_TRUE(ended);
  EXPECT_FALSE(ended->progress) << "an ended task keeps no progress";
  sim.send_signal(SIGTERM);
  EXPECT_EQ(sim.wait(10s), 0);
}

}  // namespace
}  // namespace provisio
