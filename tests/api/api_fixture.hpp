#pragma once
// The Web API in-process: a Store on a temporary SQLite file or a fresh PostgreSQL database (the
// test's parameter), the route table behind the real HTTP server on 127.0.0.1 and a free port,
// an administrator and a plain user with a user token each. The GitLab check is a fake that
// answers what the test says; GitLab events are queued as the server queues them (the sync
// service's queue) and nothing runs them.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/authenticator.hpp"
#include "auth/password.hpp"
#include "http/api_routes.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "postgres_cluster.hpp"
#include "store/store.hpp"
#include "sync/explain.hpp"
#include "sync/sync_service.hpp"

namespace provisio::api_test {

using nlohmann::json;
using testing::ClientResponse;
using testing::HttpClient;

enum class As { kAnonymous, kUser, kAdmin };

inline constexpr std::string_view kAdminPassword = "admin-password-123";
inline constexpr std::string_view kUserPassword = "user-password-456";

class ApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto box = std::make_shared<store::SecretBox>(store::SecretBox::Key{7, 7, 7});
    std::string url;
    if (GetParam() == "sqlite") {
      dir_ = provisio::testing::make_temp_dir("provisio-api-");
      url = "sqlite:" + dir_ + "/provisio.db";
    } else {
      if (provisio::testing::PostgresCluster::disabled()) {
        GTEST_SKIP() << "PostgreSQL tests turned off by PROVISIO_TEST_PG=0";
      }
      static std::atomic<int> counter{0};
      url = provisio::testing::PostgresCluster::shared()->create_database(
          "api" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    }
    url_ = url;
    auto parsed = store::parse_database_url(url);
    ASSERT_TRUE(parsed);
    auto opened = store::open_store(*parsed, box, 4);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->migrate());

    admin_ = make_local_user("admin", kAdminPassword);
    PermissionGrant grant;
    grant.user_id = admin_.id;
    grant.permission = "admin";
    ASSERT_TRUE(store_->grant(grant));
    user_ = make_local_user("plain", kUserPassword);

    limiter_ = std::make_unique<auth::LoginLimiter>(clock_);
    authenticator_ = std::make_unique<auth::Authenticator>(*store_, clock_, *limiter_);
    admin_token_ = authenticator_->generate_token(admin_, "test")->token;
    user_token_ = authenticator_->generate_token(user_, "test")->token;
    // Confirming a held plan applies it without reading GitLab: no transport is needed.
    sync::SyncOptions sync_options;
    sync_options.node_id = "test-node";
    sync_service_ = std::make_unique<sync::SyncService>(
        *store_, [] { return std::unique_ptr<gitlab::HttpTransport>(); }, clock_, sync_options);
    context_ = std::make_unique<http::ApiContext>(http::ApiContext{
        *store_, clock_, *authenticator_,
        [this](const std::string& who) {
          Task t;
          t.type = TaskType::kGitlabAuthProvisioning;
          t.submitter = who;
          t.submitted_at = clock_.now();
          return store_->enqueue_task(t, true);
        },
        [this](const GitlabConfig&) {
          std::lock_guard lock(mutex_);
          ++checks_;
          GitlabCheckResult check(gitlab_error_);
          check.field = gitlab_error_field_;
          check.allowed_group = gitlab_error_group_;
          return check;
        },
        false, http::SystemInfo{"test-server"},
        [this](TaskId held, const std::string& who) { return sync_service_->confirm(held, who); }});
    // Explain reads GitLab only for a managed user on a bound project of a managed instance;
    // tests that need GitLab use the simulator (tests/integration/observability_test.cpp).
    explainer_ = std::make_unique<sync::Explainer>(
        *store_, [] { return std::unique_ptr<gitlab::HttpTransport>(); }, clock_);
    context_->explain = [this](const sync::ExplainRequest& r) { return explainer_->explain(r); };
    context_->metrics = &metrics_;
    // The plan preview shows a plan computed already (computing one reads GitLab); GitLab events
    // queue their sync through a stand-in that queues the task and runs nothing.
    context_->plan_preview = [this](bool) {
      return sync::PreviewState{std::make_shared<const sync::PreviewedPlan>(
                                    sync::PreviewedPlan{clock_.now(), sync::PlannedSync{}}),
                                std::nullopt};
    };
    context_->queue_event = [this](const EventEffect& e) {
      return e.action == EventAction::kFull
                 ? sync_service_->request_full("gitlab-events")
                 : sync_service_->request_scoped(e.scope, "gitlab-events");
    };
    start_server();
  }

  void start_server() {
    http::Router router;
    http::add_api_routes(router, *context_);
    http::ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.body_limit = 64 * 1024;
    server_ = std::make_unique<http::Server>(options, std::move(router));
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }

  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    context_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  User make_local_user(const std::string& login, std::string_view password, bool managed = false) {
    User u;
    u.login = login;
    u.name = "Name of " + login;
    u.email = login + "@example.com";
    u.local = !managed;
    u.managed = managed;
    if (managed) {
      u.external_provider = ExternalProvider::kGitlab;
      u.external_id = std::to_string(1000 + counter_++);
      u.external_login = login;
    }
    std::optional<std::string> hash;
    if (!managed) hash = *auth::hash_password(password);
    auto created = store_->create_user(u, hash);
    EXPECT_TRUE(created) << created.error().message;
    return *created;
  }

  Group make_group(const std::string& name, bool managed = false) {
    Group g;
    g.name = name;
    g.managed = managed;
    if (managed) g.external_id = std::to_string(5000 + counter_++);
    auto created = store_->create_group(g);
    EXPECT_TRUE(created) << created.error().message;
    return *created;
  }

  Project make_project(const std::string& key, std::optional<std::int64_t> gitlab_id = {}) {
    Project p;
    p.key = key;
    p.name = "Project " + key;
    p.gitlab_project_id = gitlab_id;
    auto created = store_->create_project(p);
    EXPECT_TRUE(created) << created.error().message;
    return *created;
  }

  // The GitLab configuration, written straight to the store (no rules, no queued sync).
  void save_config(ProvisioningType type, bool enabled = true) {
    GitlabConfig c;
    c.enabled = enabled;
    c.application_id = "app";
    c.secret = "oauth-secret";
    c.provisioning_type = type;
    if (type == ProvisioningType::kAutoProvisioning) {
      c.provisioning_token = "provisioning-token";
      c.allowed_groups = {"acme"};
    }
    ASSERT_TRUE(store_->save_gitlab_config(c));
  }
  void make_managed_instance() { save_config(ProvisioningType::kAutoProvisioning); }
  void make_unmanaged_instance() { ASSERT_TRUE(store_->delete_gitlab_config()); }

  // Runs every pending task to SUCCESS, as a sync node would.
  void finish_pending_tasks() {
    while (true) {
      auto claimed = store_->claim_task("test-node", clock_.now(), 60'000);
      ASSERT_TRUE(claimed);
      if (!*claimed) return;
      ASSERT_TRUE(store_->finish_task((*claimed)->id, "test-node", clock_.now(), {}));
    }
  }

  std::string token_of(As who) const {
    return who == As::kAdmin ? admin_token_ : who == As::kUser ? user_token_ : "";
  }

  ClientResponse call(As who, const std::string& method, const std::string& target,
                      const std::string& body = "",
                      std::map<std::string, std::string> headers = {}) {
    if (who != As::kAnonymous) headers["Authorization"] = "Bearer " + token_of(who);
    return HttpClient(port_).request(method, target, body, headers);
  }
  ClientResponse json_call(As who, const std::string& method, const std::string& target,
                           const json& body) {
    return call(who, method, target, body.dump(),
                {{"Content-Type",
                  method == "PATCH" ? "application/merge-patch+json" : "application/json"}});
  }
  ClientResponse form_call(As who, const std::string& target, const std::string& form) {
    return call(who, "POST", target, form, {{"Content-Type", "application/x-www-form-urlencoded"}});
  }

  // The message of an error answer, v1 or v2.
  static std::string message(const ClientResponse& r) {
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("message")) return j["message"].get<std::string>();
    if (j.is_object() && j.contains("errors")) return j["errors"][0]["msg"].get<std::string>();
    return r.body;
  }

  std::string dir_;
  std::string url_;  // the store's database, for a look under the Store (database_dump.hpp)
  ManualClock clock_{SystemClock().now()};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::LoginLimiter> limiter_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<sync::SyncService> sync_service_;
  std::unique_ptr<sync::Explainer> explainer_;
  metrics::Registry metrics_;
  std::unique_ptr<http::ApiContext> context_;
  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
  User admin_, user_;
  std::string admin_token_, user_token_;
  std::mutex mutex_;
  std::optional<std::string> gitlab_error_;
  std::optional<std::string> gitlab_error_field_;  // the setting GitLab refused, with the error
  std::optional<std::string> gitlab_error_group_;
  int checks_ = 0;
  int counter_ = 0;
};

inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace provisio::api_test
