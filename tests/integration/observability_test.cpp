// Explain, metrics and token health against gitlab-sim over loopback: a hand-written world with
// one user for each way of reaching a project, a real SQLite store synchronized from it, the API
// behind the real HTTP server. The simulator is a child process, stopped by each test.
#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "app/gitlab_check.hpp"
#include "auth/authenticator.hpp"
#include "auth/password.hpp"
#include "child_process.hpp"
#include "gitlab/curl_transport.hpp"
#include "http/api_routes.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "sync/explain.hpp"
#include "sync/sync_service.hpp"
#include "temp_dir.hpp"

namespace provisio {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// acme (1) > acme/web (2) > acme/web/app (project 100); acme/other (3); outside (30) >
// outside/team (31) and outside/ops (32); outside/tool (project 101).
// Users: 10 direct developer of app; 11 maintainer of acme; 12 owner of outside/team, which is
// invited into acme/web capped at reporter; 13 reporter of app with the custom role auditor
// (mapped); 14 developer of app with the custom role designer (not mapped); 16 developer of
// acme/other only; 18 developer of outside, whose subgroup outside/ops is invited into app.
json world() {
  json users = json::array({{{"id", 1}, {"username", "root"}, {"is_admin", true}},
                            {{"id", 2}, {"username", "provisioner"}, {"is_admin", true}}});
  for (int id : {10, 11, 12, 13, 14, 16, 18}) {
    users.push_back({{"id", id}, {"username", "u" + std::to_string(id)}});
  }
  return {{"format", 1},
          {"users", users},
          {"groups",
           {{{"id", 1}, {"path", "acme"}},
            {{"id", 2}, {"path", "web"}, {"parent_id", 1}},
            {{"id", 3}, {"path", "other"}, {"parent_id", 1}},
            {{"id", 30}, {"path", "outside"}},
            {{"id", 31}, {"path", "team"}, {"parent_id", 30}},
            {{"id", 32}, {"path", "ops"}, {"parent_id", 30}}}},
          {"projects",
           {{{"id", 100}, {"path", "app"}, {"namespace_id", 2}},
            {{"id", 101}, {"path", "tool"}, {"namespace_id", 30}}}},
          {"custom_roles",
           {{{"id", 500}, {"name", "auditor"}, {"group_id", 1}, {"base_access_level", 20}},
            {{"id", 501}, {"name", "designer"}, {"group_id", 1}, {"base_access_level", 30}}}},
          {"group_members",
           {{{"group_id", 1}, {"members", {{11, 40}}}},
            {{"group_id", 3}, {"members", {{16, 30}}}},
            {{"group_id", 30}, {"members", {{18, 30}}}},
            {{"group_id", 31}, {"members", {{12, 50}}}}}},
          {"project_members",
           {{{"project_id", 100},
             {"members", {{10, 30}, {13, 20, nullptr, 500}, {14, 30, nullptr, 501}}}},
            {{"project_id", 101}, {"members", {{10, 30}}}}}},
          {"group_shares",
           {{{"shared_group_id", 2}, {"invited_group_id", 31}, {"group_access_level", 20}}}},
          {"project_shares", {{{"project_id", 100}, {"group_id", 32}, {"group_access_level", 40}}}},
          {"tokens",
           {{{"id", 1}, {"token", "t-admin"}, {"user_id", 1}, {"scopes", {"api"}}},
            {{"id", 2}, {"token", "t-prov"}, {"user_id", 2}, {"scopes", {"read_api"}}},
            {{"id", 3}, {"token", "t-health"}, {"user_id", 2}, {"scopes", {"read_api"}}}}}};
}

// "name{labels} value" lines of a scrape, by series.
std::map<std::string, double> parse_metrics(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double sum_of(const std::map<std::string, double>& m, const std::string& name) {
  double total = 0;
  for (const auto& [series, value] : m) {
    if (series.rfind(name + "{", 0) == 0 || series == name) total += value;
  }
  return total;
}

class ObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string world_file = dir_.str() + "/world.json";
    {
      std::ofstream out(world_file);
      out << world().dump();
    }
    sim_ = std::make_unique<testing::ChildProcess>(
        PROVISIO_GITLAB_SIM,
        std::vector<std::string>{"serve", "--world", world_file, "--port", "0"},
        testing::EnvChanges{}, dir_.str() + "/sim.err");
    for (int i = 0; i < 20 && sim_port_ == 0; ++i) {
      const auto line = sim_->read_line(30s);
      if (!line) break;
      if (line->find("listening") != std::string::npos) {
        sim_port_ = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
      }
    }
    ASSERT_NE(sim_port_, 0) << "gitlab-sim did not start";

    auto url = store::parse_database_url("sqlite:" + dir_.str() + "/provisio.db");
    ASSERT_TRUE(url);
    auto opened =
        store::open_store(*url, std::make_shared<store::SecretBox>(store::SecretBox::Key{4}));
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->migrate());

    GitlabConfig c;
    c.enabled = true;
    c.url = sim_url();
    c.application_id = "app";
    c.secret = "oauth-secret";
    c.provisioning_type = ProvisioningType::kAutoProvisioning;
    c.provisioning_token = "t-prov";
    c.allowed_groups = {"acme"};
    ASSERT_TRUE(store_->save_gitlab_config(c));
    for (const auto& [key, id] : std::vector<std::pair<std::string, std::optional<std::int64_t>>>{
             {"app", 100}, {"tool", 101}, {"unbound", std::nullopt}, {"gone", 999}}) {
      Project p;
      p.key = key;
      p.name = key;
      p.gitlab_project_id = id;
      ASSERT_TRUE(store_->create_project(p));
    }
    RoleMapping auditor;
    auditor.role = "auditor";
    auditor.permissions.user = true;
    auditor.permissions.security_hotspot_admin = true;
    ASSERT_TRUE(store_->save_role_mapping(auditor));

    sync::SyncOptions options;
    options.node_id = "test";
    options.metrics = &metrics_;
    options.engine.metrics = &metrics_;
    sync_ = std::make_unique<sync::SyncService>(*store_, transports(), clock_, options);
    gitlab::EngineOptions engine;
    engine.metrics = &metrics_;
    explainer_ = std::make_unique<sync::Explainer>(*store_, transports(), clock_,
                                                   ProvisioningRules{}, engine);
    last_sync_ = sync_now();
    ASSERT_EQ(last_sync_.status, TaskStatus::kSuccess) << last_sync_.error_message.value_or("");
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (sim_) {
      sim_->send_signal(SIGTERM);
      sim_->wait(10s);
    }
  }

  static sync::TransportFactory transports() {
    return [] { return std::make_unique<gitlab::CurlTransport>(); };
  }
  std::string sim_url() const { return "http://127.0.0.1:" + std::to_string(sim_port_); }

  Task sync_now() {
    auto queued = sync_->request_full("test");
    EXPECT_TRUE(queued) << queued.error().message;
    auto done = sync_->run_next();
    EXPECT_TRUE(done && *done);
    return **done;
  }

  json control(const std::string& what, const json& body) {
    auto r = testing::HttpClient(sim_port_).request("POST", "/__control/" + what, body.dump(),
                                                    {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << what << " " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  // The login the sync gave GitLab user `id`.
  std::string login_of(gl::Id id) {
    auto u = store_->find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(id));
    EXPECT_TRUE(u) << "GitLab user " << id << " was not provisioned";
    return u ? u->login : "";
  }

  sync::Explanation explain(const std::string& login, std::optional<std::string> project,
                            std::optional<std::string> group = std::nullopt) {
    auto e = explainer_->explain({login, std::move(project), std::move(group)});
    EXPECT_TRUE(e) << e.error().message;
    return e ? *e : sync::Explanation{};
  }

  // The API on the real server, with an administrator's token.
  void start_api(http::GitlabCheck check = {}) {
    limiter_ = std::make_unique<auth::LoginLimiter>(clock_);
    authenticator_ = std::make_unique<auth::Authenticator>(*store_, clock_, *limiter_);
    User admin;
    admin.login = "boss";
    admin.name = "Boss";
    admin.local = true;
    auto created = store_->create_user(admin, *auth::hash_password("boss-password-123"));
    ASSERT_TRUE(created);
    PermissionGrant grant;
    grant.user_id = created->id;
    grant.permission = "admin";
    ASSERT_TRUE(store_->grant(grant));
    admin_token_ = authenticator_->generate_token(*created, "t")->token;
    context_ = std::make_unique<http::ApiContext>(http::ApiContext{
        *store_, clock_, *authenticator_,
        [this](const std::string& who) { return sync_->request_full(who); }, std::move(check)});
    context_->explain = [this](const sync::ExplainRequest& r) { return explainer_->explain(r); };
    context_->metrics = &metrics_;
    http::Router router;
    http::add_api_routes(router, *context_);
    http::ServerOptions options;
    options.bind_address = "127.0.0.1";
    server_ = std::make_unique<http::Server>(options, std::move(router));
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }

  testing::ClientResponse api(const std::string& method, const std::string& target,
                              const std::string& body = "",
                              std::map<std::string, std::string> headers = {}) {
    if (!headers.count("Authorization")) headers["Authorization"] = "Bearer " + admin_token_;
    return testing::HttpClient(port_).request(method, target, body, headers);
  }

  std::map<std::string, double> scrape() {
    auto r = api("GET", "/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    return parse_metrics(r.body);
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::ChildProcess> sim_;
  std::uint16_t sim_port_ = 0;
  SystemClock clock_;
  metrics::Registry metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<sync::SyncService> sync_;
  std::unique_ptr<sync::Explainer> explainer_;
  Task last_sync_;
  std::unique_ptr<auth::LoginLimiter> limiter_;
  std::unique_ptr<auth::Authenticator> authenticator_;
  std::unique_ptr<http::ApiContext> context_;
  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
  std::string admin_token_;
};

// The permission lines' names, each held and given by GitLab.
std::vector<std::string> held_from_gitlab(const sync::Explanation& e) {
  std::vector<std::string> out;
  for (const auto& line : e.permissions) {
    EXPECT_TRUE(line.held && line.from_gitlab) << line.permission;
    out.push_back(line.permission);
  }
  return out;
}

TEST_F(ObservabilityTest, ExplainsEachKindOfGrant) {
  const std::vector<std::string> developer = {"user", "codeviewer", "issueadmin",
                                              "securityhotspotadmin", "scan"};
  auto direct = explain(login_of(10), "app");
  EXPECT_TRUE(direct.reasons.empty()) << direct.reasons.at(0);
  EXPECT_EQ(direct.gitlab_path, "acme/web/app");
  ASSERT_TRUE(direct.gitlab);
  EXPECT_EQ(direct.gitlab->best, "direct member (Developer)");
  EXPECT_EQ(held_from_gitlab(direct), developer);
  // Only the project's neighbourhood was read, not the allowed groups' whole tree: the project,
  // its two groups, the three groups invited or above one, the user, and the user's membership
  // of each of those six groups and of the project (GitLab answers 404 where there is none).
  EXPECT_LE(direct.gitlab_requests, 14);

  auto inherited = explain(login_of(11), "app");
  ASSERT_TRUE(inherited.gitlab);
  EXPECT_EQ(inherited.gitlab->best, "inherited from acme (Maintainer)");
  EXPECT_EQ(held_from_gitlab(inherited).size(), 6u);

  auto shared = explain(login_of(12), "app");
  ASSERT_TRUE(shared.gitlab);
  EXPECT_EQ(shared.gitlab->best,
            "member of outside/team invited into acme/web (Owner, capped at Reporter)");
  EXPECT_EQ(held_from_gitlab(shared), (std::vector<std::string>{"user", "codeviewer"}));

  auto project_share = explain(login_of(18), "app");
  ASSERT_TRUE(project_share.gitlab);
  EXPECT_EQ(project_share.gitlab->best,
            "member of outside, whose subgroup outside/ops is invited into acme/web/app "
            "(Developer)");
  EXPECT_EQ(held_from_gitlab(project_share), developer);

  auto mapped = explain(login_of(13), "app");
  ASSERT_TRUE(mapped.gitlab);
  EXPECT_EQ(mapped.gitlab->mapping, "auditor");
  EXPECT_EQ(mapped.gitlab->mapping_note,
            "custom role auditor is mapped: its own permissions apply");
  EXPECT_EQ(held_from_gitlab(mapped), (std::vector<std::string>{"user", "securityhotspotadmin"}));

  auto fallback = explain(login_of(14), "app");
  ASSERT_TRUE(fallback.gitlab);
  EXPECT_EQ(fallback.gitlab->mapping, "developer");
  EXPECT_EQ(fallback.gitlab->mapping_note,
            "custom role designer has no mapping: fell back to its base role developer");
  EXPECT_EQ(held_from_gitlab(fallback), developer);
  EXPECT_EQ(fallback.permissions[0].why[0],
            "GitLab role developer (custom role designer has no mapping: fell back to its base "
            "role developer): direct member (custom role designer (Developer))");
}

TEST_F(ObservabilityTest, ExplainsWhyAUserHasNoAccess) {
  const auto reason = [&](const sync::Explanation& e) {
    EXPECT_EQ(e.reasons.size(), 1u);
    return e.reasons.empty() ? std::string() : e.reasons[0];
  };
  const auto has = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  auto outsider = explain(login_of(16), "app");
  EXPECT_TRUE(outsider.permissions.empty());
  EXPECT_TRUE(has(reason(outsider), "is not a member of the GitLab project acme/web/app"))
      << reason(outsider);
  EXPECT_TRUE(has(reason(explain(login_of(10), "unbound")), "is not bound to a GitLab project"));
  EXPECT_TRUE(
      has(reason(explain(login_of(10), "tool")), "outside/tool is not in the allowed groups"));
  EXPECT_TRUE(has(reason(explain(login_of(10), "gone")), "does not exist"));
  User local;
  local.login = "alice";
  local.name = "Alice";
  local.local = true;
  ASSERT_TRUE(store_->create_user(local, *auth::hash_password("alice-password-1")));
  EXPECT_TRUE(has(reason(explain("alice", "app")), "is a local user"));
  // Blocked in GitLab since the last sync: the next one deactivates the user.
  control("users/block", {{"user_id", 11}});
  const auto blocked = explain(login_of(11), "app");
  EXPECT_TRUE(has(reason(blocked), "is blocked in GitLab")) << reason(blocked);
  ASSERT_FALSE(blocked.permissions.empty());  // still held until that sync
  EXPECT_FALSE(blocked.permissions[0].from_gitlab);
  auto u10 = *store_->find_user_by_login(login_of(10));
  u10.active = false;
  ASSERT_TRUE(store_->update_user(u10));
  EXPECT_TRUE(has(reason(explain(u10.login, "app")), "is deactivated"));
  auto unknown = explainer_->explain({"nobody", std::string("app"), std::nullopt});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  auto no_project = explainer_->explain({login_of(11), std::string("nope"), std::nullopt});
  ASSERT_FALSE(no_project);
  EXPECT_EQ(no_project.error().code, ErrorCode::kNotFound);
  auto config = **store_->load_gitlab_config();
  config.provisioning_type = ProvisioningType::kJit;
  ASSERT_TRUE(store_->save_gitlab_config(config));
  EXPECT_TRUE(has(reason(explain(login_of(12), "app")), "Automatic provisioning is off"));
}

TEST_F(ObservabilityTest, ExplainsGroupMembership) {
  auto inherited = explain(login_of(11), std::nullopt, "acme/web");
  EXPECT_EQ(inherited.member, true);
  EXPECT_TRUE(inherited.member_from_gitlab);
  ASSERT_TRUE(inherited.gitlab);
  EXPECT_EQ(inherited.gitlab->best, "inherited from acme (Maintainer)");
  auto shared = explain(login_of(12), std::nullopt, "acme/web");
  EXPECT_TRUE(shared.member_from_gitlab);
  EXPECT_EQ(shared.gitlab->best,
            "member of outside/team invited into acme/web (Owner, capped at Reporter)");
  auto none = explain(login_of(10), std::nullopt, "acme/web");
  EXPECT_EQ(none.member, false);
  ASSERT_EQ(none.reasons.size(), 1u);
  EXPECT_NE(none.reasons[0].find("is not a member of the GitLab group acme/web"), std::string::npos)
      << none.reasons[0];
  Group local;
  local.name = "devs";
  ASSERT_TRUE(store_->create_group(local));
  EXPECT_NE(explain(login_of(10), std::nullopt, "devs").reasons.at(0).find("is a local group"),
            std::string::npos);
  EXPECT_NE(explain(login_of(10), std::nullopt, "sonar-users").reasons.at(0).find("default group"),
            std::string::npos);
}

TEST_F(ObservabilityTest, TheExplainEndpointAnswersAndRefusesBadInput) {
  start_api();
  auto r = api("GET", "/api/v2/provisioning/explain?login=" + login_of(12) + "&projectKey=app");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["gitlab"]["path"], "acme/web/app");
  EXPECT_EQ(j["gitlab"]["level"], "Reporter");
  EXPECT_EQ(j["gitlab"]["role"], "reporter");
  EXPECT_EQ(j["permissions"][0]["permission"], "user");
  EXPECT_EQ(j["permissions"][0]["held"], true);
  EXPECT_TRUE(j["reasons"].empty());
  r = api("GET", "/api/v2/provisioning/explain?login=" + login_of(11) + "&group=acme%2Fweb");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["member"], true);
  EXPECT_EQ(api("GET", "/api/v2/provisioning/explain?projectKey=app").status, 400);
  EXPECT_EQ(api("GET", "/api/v2/provisioning/explain?login=x&projectKey=app&group=g").status, 400);
  EXPECT_EQ(api("GET", "/api/v2/provisioning/explain?login=nobody&projectKey=app").status, 404);
  EXPECT_EQ(api("GET", "/api/v2/provisioning/explain?login=" + login_of(11) + "&group=nope").status,
            404);
}

TEST_F(ObservabilityTest, MetricsCountASyncItsRequestsHttpAndLogins) {
  start_api();
  control("counters/reset", json::object());
  auto before = scrape();
  const std::string runs =
      "provisio_sync_runs_total{result=\"success\",type=\"GITLAB_AUTH_PROVISIONING\"}";
  EXPECT_EQ(before[runs], 1);
  EXPECT_EQ(sum_of(before, "provisio_gitlab_requests_total"),
            static_cast<double>(last_sync_.counts.gitlab_requests));
  EXPECT_GT(
      before["provisio_gitlab_requests_total{endpoint=\"/groups/:id/members\",status=\"200\"}"], 0);
  EXPECT_EQ(before["provisio_sync_duration_seconds_count{type=\"GITLAB_AUTH_PROVISIONING\"}"], 1);
  EXPECT_EQ(before["provisio_sync_last_success_timestamp_seconds"],
            static_cast<double>(*store_->get_task(last_sync_.id)->finished_at) / 1000.0);
  store::UserQuery managed;
  managed.managed = true;
  managed.active = true;
  EXPECT_EQ(before["provisio_managed_users"], store_->list_users(managed)->total);
  EXPECT_EQ(before["provisio_managed_users"], 7);
  EXPECT_EQ(before["provisio_managed_groups"], 3);  // acme, acme/web, acme/other

  // A second sync with nothing to change, then one that fails on a revoked token.
  const Task second = sync_now();
  ASSERT_EQ(second.status, TaskStatus::kSuccess);
  control("tokens/revoke", {{"token", "t-prov"}});
  const Task failed = sync_now();
  ASSERT_EQ(failed.status, TaskStatus::kFailed);
  auto after = scrape();
  EXPECT_EQ(after[runs], 2);
  EXPECT_EQ(after["provisio_sync_runs_total{result=\"failed\",type=\"GITLAB_AUTH_PROVISIONING\"}"],
            1);
  EXPECT_EQ(after["provisio_sync_duration_seconds_count{type=\"GITLAB_AUTH_PROVISIONING\"}"], 3);
  // Every GitLab request of both runs is counted once, as the simulator counted them.
  const json sim =
      json::parse(testing::HttpClient(sim_port_).request("GET", "/__control/counters").body);
  EXPECT_EQ(sum_of(after, "provisio_gitlab_requests_total") -
                sum_of(before, "provisio_gitlab_requests_total"),
            sim["total"].get<double>());
  EXPECT_EQ(sum_of(after, "provisio_gitlab_requests_total") -
                sum_of(before, "provisio_gitlab_requests_total"),
            // The failed run's one request (its task record counts none: it failed reading).
            static_cast<double>(second.counts.gitlab_requests + 1));
  EXPECT_EQ(after["provisio_gitlab_requests_total{endpoint=\"/groups/:id\",status=\"401\"}"], 1);

  // HTTP requests by route template: the scrape before this one is counted, once.
  const std::string scrapes =
      "provisio_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}";
  EXPECT_EQ(after[scrapes], before[scrapes] + 1);
  api("GET", "/api/v2/users-management/users/no-such-id");
  const std::string logins = "provisio_logins_total{method=\"local\",result=";
  const auto login = [&](const std::string& password) {
    return testing::HttpClient(port_)
        .request("POST", "/api/authentication/login", "login=boss&password=" + password,
                 {{"Content-Type", "application/x-www-form-urlencoded"}})
        .status;
  };
  EXPECT_EQ(login("wrong"), 401);
  EXPECT_EQ(login("boss-password-123"), 200);
  auto last = scrape();
  EXPECT_EQ(last[logins + "\"failure\"}"], 1);
  EXPECT_EQ(last[logins + "\"success\"}"], 1);
  EXPECT_EQ(last["provisio_http_requests_total{method=\"GET\",route=\"/api/v2/users-management/"
                 "users/{id}\",status=\"404\"}"],
            1);
  // No id or raw path ever becomes a label value.
  const std::string text = api("GET", "/metrics").body;
  EXPECT_FALSE(std::regex_search(text, std::regex("(endpoint|route)=\"[^\"]*/[0-9]"))) << text;
  EXPECT_EQ(text.find("no-such-id"), std::string::npos);
}

TEST_F(ObservabilityTest, TokenHealthWarnsBeforeTheTokenFails) {
  // Provisio's today is 2099-01-01; the simulator judges expiry by its own clock, long before.
  const Millis today = 4'070'908'800'000;  // 2099-01-01T00:00:00Z
  auto config = **store_->load_gitlab_config();
  config.provisioning_token = "t-health";
  const auto check = [&] { return app::check_gitlab(config, today); };
  auto healthy = check();
  EXPECT_FALSE(healthy.error) << *healthy.error;
  EXPECT_TRUE(healthy.warnings.empty());

  control("tokens/update", {{"token", "t-health"}, {"expires_at", "2099-01-20"}});  // 19 days
  EXPECT_TRUE(check().warnings.empty());
  control("tokens/update", {{"token", "t-health"}, {"expires_at", "2099-01-11"}});  // 10 days
  auto expiring = check();
  EXPECT_FALSE(expiring.error);
  ASSERT_EQ(expiring.warnings.size(), 1u);
  EXPECT_NE(expiring.warnings[0].find("expires on 2099-01-11, in 10 days"), std::string::npos)
      << expiring.warnings[0];

  // The status and the configuration show it through the API.
  ASSERT_TRUE(store_->save_gitlab_config(config));
  start_api([&](const GitlabConfig& c) { return app::check_gitlab(c, today); });
  auto status = api("GET", "/api/v2/provisioning/status");
  ASSERT_EQ(status.status, 200) << status.body;
  const json s = json::parse(status.body);
  EXPECT_EQ(s["mode"], "AUTO_PROVISIONING");
  EXPECT_EQ(s["lastRun"]["status"], "SUCCESS");
  EXPECT_EQ(s["token"]["errorMessage"], nullptr);
  ASSERT_EQ(s["token"]["warnings"].size(), 1u);
  EXPECT_NE(s["token"]["warnings"][0].get<std::string>().find("in 10 days"), std::string::npos);
  auto resource = api("GET", "/api/v2/dop-translation/gitlab-configurations/gitlab-configuration");
  ASSERT_EQ(resource.status, 200) << resource.body;
  EXPECT_EQ(json::parse(resource.body)["warnings"].size(), 1u);
  EXPECT_EQ(status.body.find("t-health"), std::string::npos) << "the token is in the answer";

  control("tokens/update",
          {{"token", "t-health"}, {"expires_at", nullptr}, {"scopes", {"read_user"}}});
  auto scope = check();
  ASSERT_TRUE(scope.error);
  EXPECT_NE(scope.error->find("lost the read_api scope"), std::string::npos) << *scope.error;
  control("tokens/update", {{"token", "t-health"}, {"scopes", {"api"}}});
  EXPECT_FALSE(check().error);
  control("tokens/revoke", {{"token", "t-health"}});
  auto revoked = check();
  ASSERT_TRUE(revoked.error);
  EXPECT_NE(revoked.error->find("revoked"), std::string::npos) << *revoked.error;
  EXPECT_EQ(revoked.error->find("t-health"), std::string::npos);
}

// The seed's statistics: what a full sync covered, also when it changed nothing.
TEST_F(ObservabilityTest, EveryFullSyncSaysHowMuchItCoveredEvenWhenNothingChanged) {
  // Users 10, 11, 13, 14 and 16 (members in acme), 12 (through outside/team invited into
  // acme/web) and 18 (through outside/ops invited into app): seven; acme, acme/web, acme/other:
  // three; app is the one bound project in scope (tool is outside, 999 does not exist).
  const SyncTotals expected{7, 3, 1};
  EXPECT_EQ(last_sync_.counts.totals, expected);
  const Task quiet = sync_now();
  ASSERT_EQ(quiet.status, TaskStatus::kSuccess) << quiet.error_message.value_or("");
  EXPECT_EQ(quiet.counts.users_created + quiet.counts.memberships_added +
                quiet.counts.permissions_granted,
            0);
  EXPECT_EQ(quiet.counts.totals, expected);
  EXPECT_EQ(quiet.info_messages.front(),
            "7 users and 3 groups synchronized from GitLab; user permissions synchronized on 1 "
            "project");
  start_api();
  auto activity = api("GET", "/api/ce/activity?type=GITLAB_AUTH_PROVISIONING&ps=1");
  ASSERT_EQ(activity.status, 200) << activity.body;
  EXPECT_EQ(json::parse(activity.body)["tasks"][0]["totals"],
            json({{"users", 7}, {"groups", 3}, {"projects", 1}}));
}

// What stops the configuration working has the same words in its check (the configuration's
// errorMessage, and the field the page shows it by) and in the run's error.
TEST_F(ObservabilityTest, TheCheckAndTheRunSayTheSameProblemInTheSameWords) {
  auto config = **store_->load_gitlab_config();
  config.allowed_groups = {"acme", "nope"};
  ASSERT_TRUE(store_->save_gitlab_config(config));
  const GitlabCheckResult missing = app::check_gitlab(config, clock_.now());
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(*missing.error,
            "The allowed group 'nope' does not exist in GitLab, or the provisioning token cannot "
            "see it.");
  EXPECT_EQ(missing.field, "allowedGroups");
  EXPECT_EQ(missing.allowed_group, "nope");
  const Task failed = sync_now();
  ASSERT_EQ(failed.status, TaskStatus::kFailed);
  EXPECT_EQ(failed.error_message->rfind(*missing.error, 0), 0u) << *failed.error_message;

  config.allowed_groups = {"acme"};
  ASSERT_TRUE(store_->save_gitlab_config(config));
  control("tokens/revoke", {{"token", "t-prov"}});
  const GitlabCheckResult revoked = app::check_gitlab(config, clock_.now());
  ASSERT_TRUE(revoked.error);
  EXPECT_EQ(*revoked.error,
            "The GitLab token was revoked. Create a new token with the read_api scope and save it "
            "as the provisioning token.");
  EXPECT_EQ(revoked.field, "provisioningToken");
  const Task refused = sync_now();
  ASSERT_EQ(refused.status, TaskStatus::kFailed);
  EXPECT_EQ(refused.error_message->rfind(*revoked.error, 0), 0u) << *refused.error_message;
}

// Saving through the API checks against this GitLab first: the group it does not have is
// refused with its words and its field, and nothing is saved.
TEST_F(ObservabilityTest, SavingAnAllowedGroupGitlabDoesNotHaveIsRefusedWithNothingSaved) {
  start_api([this](const GitlabConfig& c) { return app::check_gitlab(c, clock_.now()); });
  auto r = api("PATCH", "/api/v2/dop-translation/gitlab-configurations/gitlab-configuration",
               json({{"allowedGroups", {"acme", "nope"}}}).dump(),
               {{"Content-Type", "application/merge-patch+json"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(json::parse(r.body),
            json({{"message",
                   "The allowed group 'nope' does not exist in GitLab, or the provisioning token "
                   "cannot see it."},
                  {"field", "allowedGroups"},
                  {"allowedGroup", "nope"}}));
  EXPECT_EQ((*store_->load_gitlab_config())->allowed_groups, std::vector<std::string>{"acme"});
  store::TaskQuery pending;
  pending.statuses = {TaskStatus::kPending};
  EXPECT_EQ(store_->list_tasks(pending)->total, 0) << "no sync queued";
}

}  // namespace
}  // namespace provisio
