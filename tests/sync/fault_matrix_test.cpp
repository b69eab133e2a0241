// The fault matrix of targets.md ("Reliability and security"): whole syncs of world S against
// gitlab-sim's faults over loopback, on SQLite and PostgreSQL. A run either ends with exactly what
// GitLab says or fails with a message an administrator can act on and leaves every row as it was
// (compared as a full dump of the database, the task records aside).
//
// Also in the matrix, in sync_integration_test.cpp: AnEndpointThatAlwaysFailsFailsTheRunAndChanges
// Nothing and TheGuardHoldsBackAMassDeactivationUntilConfirmed.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "sync_fixture.hpp"

namespace provisio::sync_test {
namespace {

constexpr int kConcurrency = 16;

// Everything logged (at any level) while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

class FaultMatrixTest : public SyncFixture {
 protected:
  void tune(sync::SyncOptions& options) override {
    options.engine.concurrency = kConcurrency;
    options.engine.max_attempts = 8;
    options.engine.backoff_max_ms = 200;
    // The simulator's "timeout" holds its answer far longer than this.
    options.engine.request_timeout = std::chrono::milliseconds(1'500);
  }

  // A first sync, then changes in GitLab, so that the run under test has something to write,
  // deactivations included.
  void synced_then_changed() {
    const Task first = full_sync();
    ASSERT_EQ(first.status, TaskStatus::kSuccess) << first.error_message.value_or("");
    sim_->control("members",
                  {{"source", "group"}, {"id", "acme"}, {"user_id", 6}, {"access_level", 50}});
    sim_->control("users/block", {{"user_id", 5}});  // one to deactivate
  }

  // Runs a full sync that must fail with a message holding each of `words`, changing nothing.
  void expect_failed_changing_nothing(const std::vector<std::string>& words) {
    const testing::DatabaseDump before = dump();
    const Task t = full_sync();
    EXPECT_EQ(t.status, TaskStatus::kFailed);
    ASSERT_TRUE(t.error_message);
    for (const std::string& w : words) {
      EXPECT_NE(t.error_message->find(w), std::string::npos)
          << "'" << w << "' not in " << *t.error_message;
    }
    EXPECT_EQ(t.error_message->find("sim-admin-token"), std::string::npos) << *t.error_message;
    EXPECT_EQ(testing::describe_difference(before, dump()), "");
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, FaultMatrixTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST_P(FaultMatrixTest, FivePercentFailuresAndTimeoutsAreRetriedToWhatGitlabSays) {
  sim_->control("faults", {{"failure_rate", 0.05},
                           {"seed", 7},
                           {"failure_kinds", {"500", "502", "timeout", "truncated"}},
                           {"timeout_delay_ms", 5'000}});
  const Task faulty = full_sync();
  ASSERT_EQ(faulty.status, TaskStatus::kSuccess) << faulty.error_message.value_or("");
  sim_->control("faults", {{"failure_rate", 0.0}});
  expect_matches_gitlab();

  // The same as without faults: a run without them finds nothing left to change, and needs
  // fewer requests (the faults did happen, and were retried).
  const auto settled = dump();
  const Task clean = full_sync();
  ASSERT_EQ(clean.status, TaskStatus::kSuccess);
  expect_changed_nothing(clean);
  EXPECT_EQ(testing::describe_difference(settled, dump()), "");
  EXPECT_GT(faulty.counts.gitlab_requests, clean.counts.gitlab_requests);
}

TEST_P(FaultMatrixTest, A429StormWithRetryAfterCompletesWithoutSendingFasterThanTheLimit) {
  // 60 requests a second, told only in the 429 answers (Rack::Attack's default): the sync
  // needs several windows, so it must wait for Retry-After again and again.
  constexpr int kLimit = 60;
  sim_->control("faults", {{"rate_limit", kLimit},
                           {"rate_limit_period_s", 1},
                           {"rate_limit_headers_on_every_answer", false}});
  const Task t = full_sync();
  ASSERT_EQ(t.status, TaskStatus::kSuccess) << t.error_message.value_or("");
  const json windows = sim_->control_get("faults")["rate_windows"];
  sim_->control("faults", {{"rate_limit", 0}});
  expect_matches_gitlab();

  // Once told to wait, the client sends nothing new until the window ends: the only requests
  // refused in a window are those already on their way when the first 429 came back (at most
  // the concurrency, and as many again started by answers that crossed that 429).
  ASSERT_GT(windows.size(), 2u);
  std::int64_t throttled = 0;
  for (const json& w : windows) {
    const std::int64_t refused = w["throttled"];
    EXPECT_LE(refused, 2 * kConcurrency) << w.dump();
    EXPECT_LE(w["observed"].get<std::int64_t>(), kLimit + 2 * kConcurrency) << w.dump();
    throttled += refused;
  }
  EXPECT_GT(throttled, 0) << "no 429 at all: the storm did not happen";
}

TEST_P(FaultMatrixTest, ToldWhatIsLeftOfEachWindowTheSyncIsNeverRefused) {
  // 100 requests a second in windows aligned on the second, RateLimit-* on every answer (as
  // GitLab.com sends them): the client spends each window down to its reserve and waits for the
  // next, so no request is refused; the sync needs several windows.
  constexpr int kLimit = 100;
  sim_->control("faults", {{"rate_limit", kLimit},
                           {"rate_limit_period_s", 1},
                           {"rate_limit_aligned", true},
                           {"rate_limit_headers_on_every_answer", true}});
  const Task t = full_sync();
  ASSERT_EQ(t.status, TaskStatus::kSuccess) << t.error_message.value_or("");
  const json windows = sim_->control_get("faults")["rate_windows"];
  sim_->control("faults", {{"rate_limit", 0}});
  expect_matches_gitlab();
  ASSERT_GT(windows.size(), 1u);
  for (const json& w : windows) {
    EXPECT_EQ(w["throttled"].get<std::int64_t>(), 0) << w.dump();
    EXPECT_LE(w["observed"].get<std::int64_t>(), kLimit) << w.dump();
  }
}

TEST_P(FaultMatrixTest, MalformedJsonFailsTheRunAndChangesNothing) {
  synced_then_changed();
  sim_->control("faults",
                {{"fail_paths", {"/api/v4/groups/*/members"}}, {"fail_kind", "malformed"}});
  expect_failed_changing_nothing({"not valid JSON", "/members", "nothing was changed"});
  // No crash, no harm: once GitLab answers properly again the next run completes.
  sim_->control("faults", {{"fail_paths", json::array()}});
  EXPECT_EQ(full_sync().status, TaskStatus::kSuccess);
  expect_matches_gitlab();
}

TEST_P(FaultMatrixTest, TruncatedJsonFailsTheRunAndChangesNothing) {
  synced_then_changed();
  // Half of each project listing, with a Content-Length that matches: the transfer looks whole.
  sim_->control("faults",
                {{"fail_paths", {"/api/v4/groups/*/projects"}}, {"fail_kind", "truncated_json"}});
  expect_failed_changing_nothing({"not valid JSON", "/projects", "nothing was changed"});
  sim_->control("faults", {{"fail_paths", json::array()}});
  EXPECT_EQ(full_sync().status, TaskStatus::kSuccess);
  expect_matches_gitlab();
}

TEST_P(FaultMatrixTest, ATokenRevokedMidRunFailsTheRunWithTheTokenMessageAndChangesNothing) {
  synced_then_changed();
  // Revoked after the first pages: the allowed groups and the subgroups were read with it.
  sim_->control("tokens/revoke", {{"token", "sim-admin-token"}, {"after_requests", 20}});
  LogCapture logs;
  expect_failed_changing_nothing({"token was revoked", "nothing was changed"});
  // Neither the token nor the OAuth secret is in a log line of the failed run either.
  EXPECT_NE(logs.text().find("token was revoked"), std::string::npos) << "nothing was captured";
  for (const char* secret : {"sim-admin-token", "oauth-secret"}) {
    EXPECT_EQ(logs.text().find(secret), std::string::npos) << logs.text();
  }
}

TEST_P(FaultMatrixTest, ATokenExpiringMidRunFailsTheRunWithTheTokenMessageAndChangesNothing) {
  synced_then_changed();
  sim_->control(
      "tokens/update",
      {{"token", "sim-admin-token"}, {"expires_at", "2024-01-15"}, {"after_requests", 20}});
  expect_failed_changing_nothing({"token has expired", "nothing was changed"});
}

TEST_P(FaultMatrixTest, AnAllowedRootGroupDeletedFailsTheRunNamingItAndDeprovisionsNobody) {
  synced_then_changed();
  sim_->control("groups/delete", {{"id", "umbrella"}});
  expect_failed_changing_nothing({"'umbrella'", "nothing was changed"});
}

TEST_P(FaultMatrixTest, AnAllowedRootGroupHiddenFromTheTokenFailsTheRunNamingIt) {
  synced_then_changed();
  // Now the token of the group's owner, who then leaves the group, made private.
  {
    sync::GitlabConfiguration config(*store_, clock_);
    sync::GitlabConfigPatch patch;
    patch.provisioning_token = "sim-owner-token";
    ASSERT_TRUE(config.create_or_update(patch, "test"));
  }
  sim_->control("visibility", {{"source", "group"}, {"id", "umbrella"}, {"visibility", "private"}});
  sim_->control("members/remove",
                {{"source", "group"}, {"id", "umbrella"}, {"username", "provisioner"}});
  expect_failed_changing_nothing({"'umbrella'", "cannot see it", "nothing was changed"});
}

TEST_P(FaultMatrixTest, AnAllowedRootGroupMovedBelowAnotherFailsTheRunNamingIt) {
  synced_then_changed();
  // Its slug now names nothing (GitLab finds groups by full path): the run says so. (A slug that
  // names a subgroup is refused as "not a root group": GitlabCheckTest.)
  sim_->control("groups/move", {{"id", "umbrella"}, {"parent_id", 3}});
  expect_failed_changing_nothing({"'umbrella'", "does not exist", "nothing was changed"});
}

}  // namespace
}  // namespace provisio::sync_test
