// Event-driven syncs end to end, on SQLite and on PostgreSQL: gitlab-sim (world S) sends its
// system hooks and group webhooks to the real HTTP server's POST /api/v2/provisioning/gitlab-events
// over loopback; the server queues partial syncs in the database; the test runs the queue. After
// each event the partial sync must have done what a full sync would (a dry run of the full sync
// then finds nothing to change), without a full sync having run, and with fewer GitLab requests.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "auth/authenticator.hpp"
#include "auth/login_limiter.hpp"
#include "database_dump.hpp"
#include "gitlab/curl_transport.hpp"
#include "gitlab_sim_process.hpp"
#include "http/api_routes.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "postgres_cluster.hpp"
#include "sync/configuration.hpp"
#include "sync/projects.hpp"
#include "sync/sync_service.hpp"
#include "temp_dir.hpp"

namespace provisio {
namespace {

using nlohmann::json;
using Sim = testing::GitlabSimProcess;
using namespace std::chrono_literals;

constexpr const char* kSecret = "hook-secret-for-tests";
constexpr const char* kEvents = "/api/v2/provisioning/gitlab-events";

class EventSyncTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<Sim>(PROVISIO_GITLAB_SIM, dir_.path().string());
    url_ = "sqlite:" + (dir_.path() / "provisio.db").string();
    std::string& url = url_;
    if (GetParam() == "postgresql") {
      if (testing::PostgresCluster::disabled()) GTEST_SKIP() << "PROVISIO_TEST_PG=0";
      static int n = 0;
      url = testing::PostgresCluster::shared()->create_database(
          "events" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    }
    auto store = store::open_store(*store::parse_database_url(url),
                                   std::make_shared<store::SecretBox>(store::SecretBox::Key{4}));
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    ASSERT_TRUE(store_->migrate());
    sync::SyncOptions options;
    options.node_id = "test-node";
    options.engine.backoff_base_ms = 10;
    service_ = std::make_unique<sync::SyncService>(
        *store_, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock_, options);
    configure(ProvisioningType::kAutoProvisioning);
    // Bind the first projects of acme, and every project of acme that a group is invited into.
    int n = 0;
    for (const json& p :
         sim_->all("/api/v4/groups/acme/projects", "include_subgroups=true&with_shared=false")) {
      if (n >= 4 && p["shared_with_groups"].empty()) continue;
      const std::string key = "p" + std::to_string(n++);
      ASSERT_TRUE(sync::create_project(*store_, key, key, Visibility::kPublic, "test"));
      ASSERT_TRUE(
          sync::bind_project(*store_, clock_, key, std::to_string(p["id"].get<gl::Id>()), "test"));
      bound_[p["id"].get<gl::Id>()] = key;
    }
    // The first full sync, and the per-project syncs the bindings queued.
    for (const Task& t : run_all()) {
      if (t.type == TaskType::kGitlabAuthProvisioning) full_ = t;
    }
    ASSERT_EQ(full_.type, TaskType::kGitlabAuthProvisioning);
    ASSERT_EQ(full_.status, TaskStatus::kSuccess) << full_.error_message.value_or("");
    start_api();
    sim_->control("hooks", {{"url", "http://127.0.0.1:" + std::to_string(port_) + kEvents},
                            {"secret", kSecret}});
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  void configure(ProvisioningType type) {
    sync::GitlabConfiguration config(*store_, clock_);
    sync::GitlabConfigPatch patch;
    patch.url = sim_->url();
    patch.secret = "oauth-secret";
    patch.application_id = "sim-client-id";
    patch.provisioning_type = type;
    patch.provisioning_token = "sim-admin-token";
    patch.allowed_groups = std::vector<std::string>{"acme", "umbrella"};
    patch.webhook_secret = kSecret;
    ASSERT_TRUE(config.create_or_update(patch, "test"));
  }

  // The API on the real server; events queue syncs that the test runs (there is no worker).
  void start_api() {
    limiter_ = std::make_unique<auth::LoginLimiter>(clock_);
    authenticator_ = std::make_unique<auth::Authenticator>(*store_, clock_, *limiter_);
    context_ = std::make_unique<http::ApiContext>(
        http::ApiContext{*store_, clock_, *authenticator_,
                         [this](const std::string& who) { return service_->request_full(who); }});
    context_->queue_event = [this](const EventEffect& e) {
      return e.action == EventAction::kFull ? service_->request_full("gitlab-events")
                                            : service_->request_scoped(e.scope, "gitlab-events");
    };
    http::Router router;
    http::add_api_routes(router, *context_);
    http::ServerOptions options;
    options.bind_address = "127.0.0.1";
    server_ = std::make_unique<http::Server>(options, std::move(router));
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }

  // Waits until the simulator has delivered every hook it queued; returns its figures.
  json delivered() {
    json stats;
    for (int i = 0; i < 200; ++i) {
      stats = sim_->control_get("hooks");
      if (stats["queued"] == 0) break;
      std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(stats["queued"], 0) << "gitlab-sim did not deliver its hooks";
    return stats;
  }

  // Runs every queued task, in order; returns them as they ended.
  std::vector<Task> run_all() {
    std::vector<Task> out;
    for (int i = 0; i < 20; ++i) {
      auto ran = service_->run_next();
      EXPECT_TRUE(ran) << ran.error().message;
      if (!ran || !*ran) break;
      out.push_back(**ran);
    }
    return out;
  }

  // The one task the events queued, run.
  Task run_event_task(const std::string& what) {
    const std::vector<Task> ran = run_all();
    EXPECT_EQ(ran.size(), 1u) << what << ": one event sync, and no full sync";
    if (ran.empty()) return {};
    EXPECT_EQ(ran.front().type, TaskType::kGitlabEventProvisioning) << what;
    EXPECT_EQ(ran.front().status, TaskStatus::kSuccess)
        << what << ": " << ran.front().error_message.value_or("");
    EXPECT_LT(ran.front().counts.gitlab_requests, full_.counts.gitlab_requests) << what;
    return ran.front();
  }

  // A dry run of the full sync finds nothing the event sync should have changed. (It may find
  // users to deactivate: a user who lost their last membership is only deactivated by the full
  // sync, which sees all of GitLab; their memberships and permissions are gone already.)
  void expect_full_sync_changes_nothing(const std::string& what) {
    auto planned = service_->plan_full();
    ASSERT_TRUE(planned) << planned.error().message;
    const SyncCounts& c = planned->plan.counts;
    std::string changes;
    for (const AuditEntry& a : planned->plan.changes.audit) {
      if (a.action != "user.deactivate") changes += "\n  " + a.action + " " + a.entity;
    }
    EXPECT_EQ(c.users_created + c.users_reactivated + c.users_updated + c.groups_created +
                  c.groups_renamed + c.groups_deleted + c.memberships_added +
                  c.memberships_removed + c.permissions_granted + c.permissions_revoked +
                  c.visibilities_changed,
              0)
        << "after " << what << ", a full sync would still change:" << changes
        << "\n  memberships added " << c.memberships_added << ", removed " << c.memberships_removed;
  }

  testing::ClientResponse post_event(const json& body, std::map<std::string, std::string> headers) {
    headers["Content-Type"] = "application/json";
    return testing::HttpClient(port_).request("POST", kEvents, body.dump(), headers);
  }

  std::int64_t pending_event_tasks() {
    store::TaskQuery q;
    q.type = TaskType::kGitlabEventProvisioning;
    q.statuses = {TaskStatus::kPending};
    return store_->list_tasks(q)->total;
  }

  gl::Id some_subgroup(std::size_t index) {
    return sim_->all("/api/v4/groups/acme/descendant_groups").at(index)["id"].get<gl::Id>();
  }

  testing::TempDir dir_;
  std::string url_;  // the store's database
  std::unique_ptr<Sim> sim_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<sync::SyncService> service_;
  std::map<gl::Id, std::string> bound_;
  Task full_;
  std::unique_ptr<auth::LoginLimiter> limiter_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<http::ApiContext> context_;
  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, EventSyncTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST_P(EventSyncTest, EachMembershipEventIsAppliedWithoutAFullSync) {
  const gl::Id group = some_subgroup(0);
  const json members = sim_->get("/api/v4/groups/" + std::to_string(group) + "/members");
  ASSERT_FALSE(members.empty());
  const gl::Id first_member = members[0]["id"];
  const gl::Id bound_project = bound_.begin()->first;
  // A group invited into a group of acme: its members' access there comes through the share.
  std::optional<gl::Id> invited;
  for (const json& g : sim_->all("/api/v4/groups/acme/descendant_groups")) {
    const json details = sim_->get("/api/v4/groups/" + std::to_string(g["id"].get<gl::Id>()));
    if (!details["shared_with_groups"].empty()) {
      invited = details["shared_with_groups"][0]["group_id"].get<gl::Id>();
      break;
    }
  }
  // A group to move a bound project into.
  const gl::Id elsewhere = some_subgroup(1);

  std::vector<std::pair<std::string, json>> changes = {
      {"members", {{"source", "group"}, {"id", group}, {"user_id", 4}, {"access_level", 40}}},
      {"members", {{"source", "group"}, {"id", group}, {"user_id", 4}, {"access_level", 20}}},
      {"members/remove", {{"source", "group"}, {"id", group}, {"user_id", first_member}}},
      {"members",
       {{"source", "project"}, {"id", bound_project}, {"user_id", 7}, {"access_level", 50}}},
      {"members",
       {{"source", "project"}, {"id", bound_project}, {"user_id", 7}, {"access_level", 30}}},
      {"members/remove", {{"source", "project"}, {"id", bound_project}, {"user_id", 7}}},
      {"visibility", {{"source", "project"}, {"id", bound_project}, {"visibility", "private"}}},
      {"projects/move", {{"id", bound_project}, {"namespace_id", elsewhere}}},
  };
  if (invited) {
    changes.push_back(
        {"members", {{"source", "group"}, {"id", *invited}, {"user_id", 9}, {"access_level", 30}}});
  }
  std::int64_t changed = 0;
  for (const auto& [what, body] : changes) {
    SCOPED_TRACE(what + " " + body.dump());
    const json answer = sim_->control(what, body);
    ASSERT_FALSE(answer["hooks"].empty()) << "gitlab-sim sent no hook";
    const json stats = delivered();
    EXPECT_EQ(stats["failed"], 0);
    const Task t = run_event_task(what);
    changed += t.counts.memberships_added + t.counts.memberships_removed +
               t.counts.permissions_granted + t.counts.permissions_revoked +
               t.counts.visibilities_changed;
    expect_full_sync_changes_nothing(what + " " + body.dump());
  }
  EXPECT_GT(changed, 0);
}

TEST_P(EventSyncTest, AForgedOrUnsignedEventChangesNothing) {
  const testing::DatabaseDump before = testing::dump_database(url_);  // task records included
  const json event = {
      {"event_name", "user_add_to_group"}, {"group_id", some_subgroup(0)}, {"user_id", 4}};
  const auto unsigned_call = post_event(event, {{"X-Gitlab-Event", "System Hook"}});
  EXPECT_EQ(unsigned_call.status, 401) << unsigned_call.body;
  const auto forged =
      post_event(event, {{"X-Gitlab-Event", "System Hook"}, {"X-Gitlab-Token", "not-the-secret"}});
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(json::parse(forged.body)["message"].get<std::string>().find(kSecret),
            std::string::npos);
  EXPECT_EQ(pending_event_tasks(), 0);

  // GitLab itself, with the wrong secret: every delivery is refused, nothing is queued, and the
  // change waits for the full sync.
  sim_->control("hooks", {{"secret", "wrong-secret"}});
  sim_->control(
      "members",
      {{"source", "group"}, {"id", some_subgroup(0)}, {"user_id", 4}, {"access_level", 40}});
  const json stats = delivered();
  EXPECT_GT(stats["failed"].get<int>(), 0);
  EXPECT_EQ(stats["sent"], 0);
  EXPECT_EQ(pending_event_tasks(), 0);
  EXPECT_TRUE(run_all().empty());
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");
}

TEST_P(EventSyncTest, ABurstOfEventsCoalescesIntoOneRun) {
  std::set<gl::Id> groups;
  for (std::size_t i = 0; i < 5; ++i) {
    groups.insert(some_subgroup(i));
    sim_->control("members", {{"source", "group"},
                              {"id", some_subgroup(i)},
                              {"user_id", 10 + static_cast<int>(i)},
                              {"access_level", 30}});
  }
  delivered();
  store::TaskQuery q;
  q.type = TaskType::kGitlabEventProvisioning;
  q.statuses = {TaskStatus::kPending};
  const auto pending = store_->list_tasks(q);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->total, 1);
  ASSERT_TRUE(pending->items[0].scope);
  EXPECT_EQ(pending->items[0].scope->groups, groups);
  run_event_task("a burst");
  expect_full_sync_changes_nothing("a burst");
}

TEST_P(EventSyncTest, ABlockedUsersFailedLoginHookDeactivatesThem) {
  // A provisioned user of a bound project's group; GitLab sends no hook when it blocks a user,
  // only user_failed_login when the blocked user tries to sign in.
  const gl::Id group = some_subgroup(0);
  const gl::Id user = sim_->get("/api/v4/groups/" + std::to_string(group) + "/members")[0]["id"];
  auto before = store_->find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(user));
  ASSERT_TRUE(before);
  ASSERT_TRUE(before->active);
  sim_->control("users/block", {{"user_id", user}});
  const auto r =
      post_event({{"event_name", "user_failed_login"}, {"user_id", user}, {"state", "blocked"}},
                 {{"X-Gitlab-Event", "System Hook"}, {"X-Gitlab-Token", kSecret}});
  ASSERT_EQ(r.status, 202) << r.body;
  const Task t = run_event_task("user_failed_login");
  EXPECT_EQ(t.counts.users_deactivated, 1);
  auto after = store_->find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(user));
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->active);
  // Out of every group, the default one included, as after a full sync (behaviour.md §3).
  auto groups = store_->user_group_names(after->id);
  ASSERT_TRUE(groups);
  EXPECT_EQ(*groups, std::vector<std::string>{});
  expect_full_sync_changes_nothing("a blocked user");
}

TEST_P(EventSyncTest, WhatIsNotAGitlabHookIsRefusedAndOtherEventsAreIgnored) {
  const std::map<std::string, std::string> signed_by_gitlab = {{"X-Gitlab-Token", kSecret}};
  auto headers = signed_by_gitlab;
  EXPECT_EQ(post_event({{"event_name", "user_add_to_group"}, {"group_id", 1}}, headers).status,
            400);  // no X-Gitlab-Event
  headers["X-Gitlab-Event"] = "System Hook";
  EXPECT_EQ(post_event({{"group_id", 1}}, headers).status, 400);  // no event_name
  EXPECT_EQ(post_event({{"event_name", "user_add_to_group"}}, headers).status, 400);  // no group
  headers["X-Gitlab-Event"] = "Push Hook";
  const auto push = post_event({{"object_kind", "push"}, {"project_id", 1}}, headers);
  EXPECT_EQ(push.status, 200) << push.body;
  EXPECT_EQ(json::parse(push.body)["action"], "IGNORED");
  EXPECT_EQ(pending_event_tasks(), 0);

  configure(ProvisioningType::kJit);
  headers["X-Gitlab-Event"] = "System Hook";
  const auto jit =
      post_event({{"event_name", "user_add_to_group"}, {"group_id", 1}, {"user_id", 4}}, headers);
  EXPECT_EQ(jit.status, 400) << jit.body;
  EXPECT_NE(jit.body.find("Automatic provisioning is not enabled"), std::string::npos);
  EXPECT_EQ(pending_event_tasks(), 0);
}

}  // namespace
}  // namespace provisio
