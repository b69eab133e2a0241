// The audit log's filters and pages, who may scrape /metrics, and the provisioning status,
// through the API on both databases.
#include "api_fixture.hpp"

namespace provisio::api_test {
namespace {

AuditEntry entry(Millis at, std::string actor, std::string type, std::string entity,
                 std::optional<TaskId> task = std::nullopt) {
  AuditEntry e;
  e.at = at;
  e.actor = std::move(actor);
  e.action = type + ".change";
  e.entity_type = std::move(type);
  e.entity = std::move(entity);
  e.task_id = task;
  return e;
}

std::vector<std::string> entities(const ClientResponse& r) {
  std::vector<std::string> out;
  const json body = json::parse(r.body);
  for (const json& e : body["entries"]) out.push_back(e["entity"]);
  return out;
}

}  // namespace

TEST_P(ApiTest, TheAuditLogIsFilteredAndPaged) {
  ASSERT_TRUE(store_->append_audit({
      entry(1'000, "sync", "user", "dana", 7),
      entry(2'000, "sync", "membership", "acme/web/dana", 7),
      entry(3'000, "admin", "permission", "app/dana/scan"),
      entry(4'000, "sync", "user", "eve", 8),
      entry(5'000, "admin", "group", "devs"),
  }));
  const std::string audit = "/api/v2/provisioning/audit";
  auto all = call(As::kAdmin, "GET", audit);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(json::parse(all.body)["page"]["total"], 5);
  EXPECT_EQ(entities(call(As::kAdmin, "GET", audit + "?user=dana")),
            (std::vector<std::string>{"app/dana/scan", "acme/web/dana", "dana"}));
  EXPECT_EQ(entities(call(As::kAdmin, "GET", audit + "?entityType=user")),
            (std::vector<std::string>{"eve", "dana"}));
  EXPECT_EQ(entities(call(As::kAdmin, "GET", audit + "?entity=devs")),
            (std::vector<std::string>{"devs"}));
  EXPECT_EQ(entities(call(As::kAdmin, "GET", audit + "?actor=admin&user=dana")),
            (std::vector<std::string>{"app/dana/scan"}));
  auto task = call(As::kAdmin, "GET", audit + "?taskId=7");
  EXPECT_EQ(entities(task), (std::vector<std::string>{"acme/web/dana", "dana"}));
  EXPECT_EQ(json::parse(task.body)["entries"][0]["taskId"], "7");
  EXPECT_EQ(entities(call(As::kAdmin, "GET", audit + "?since=2000&until=4000")),
            (std::vector<std::string>{"app/dana/scan", "acme/web/dana"}));
  auto page = call(As::kAdmin, "GET", audit + "?pageIndex=2&pageSize=2");
  EXPECT_EQ(entities(page), (std::vector<std::string>{"app/dana/scan", "acme/web/dana"}));
  EXPECT_EQ(json::parse(page.body)["page"]["total"], 5);
  EXPECT_TRUE(entities(call(As::kAdmin, "GET", audit + "?user=nobody")).empty());
  for (const char* bad : {"?taskId=seven", "?since=-1", "?until=soon", "?pageSize=0"}) {
    auto r = call(As::kAdmin, "GET", audit + bad);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_FALSE(message(r).empty());
  }
}

TEST_P(ApiTest, MetricsNeedAnAdministratorUnlessMadePublic) {
  EXPECT_EQ(call(As::kAnonymous, "GET", "/metrics").status, 401);
  EXPECT_EQ(call(As::kUser, "GET", "/metrics").status, 403);
  auto admin = call(As::kAdmin, "GET", "/metrics");
  ASSERT_EQ(admin.status, 200);
  // A family shows once it has a series: the gauges have one from the start.
  EXPECT_NE(admin.body.find("# TYPE provisio_managed_users gauge"), std::string::npos);
  EXPECT_NE(admin.body.find("\nprovisio_managed_users 0"), std::string::npos) << admin.body;
  server_->stop();
  context_->metrics_public = true;
  start_server();
  auto anonymous = call(As::kAnonymous, "GET", "/metrics");
  EXPECT_EQ(anonymous.status, 200);
  // The 401 and 403 above were counted under the route's template.
  EXPECT_NE(anonymous.body.find(
                "provisio_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"401\"} 1"),
            std::string::npos)
      << anonymous.body;
}

TEST_P(ApiTest, TheProvisioningStatusShowsTheModeRunsAndTokenHealth) {
  auto none = call(As::kAdmin, "GET", "/api/v2/provisioning/status");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(json::parse(none.body)["mode"], "DISABLED");
  EXPECT_EQ(json::parse(none.body)["token"], nullptr);
  make_managed_instance();
  finish_pending_tasks();
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = "test";
  t.submitted_at = clock_.now();
  ASSERT_TRUE(store_->enqueue_task(t, false));
  finish_pending_tasks();
  gitlab_error_ = "The provisioning token was revoked in GitLab.";
  auto r = call(As::kAdmin, "GET", "/api/v2/provisioning/status");
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = json::parse(r.body);
  EXPECT_EQ(j["mode"], "AUTO_PROVISIONING");
  EXPECT_EQ(j["lastRun"]["status"], "SUCCESS");
  EXPECT_EQ(j["next"]["status"], "SCHEDULED");
  EXPECT_EQ(j["token"]["errorMessage"], "The provisioning token was revoked in GitLab.");
  EXPECT_TRUE(j["token"]["warnings"].empty());
  EXPECT_EQ(r.body.find("provisioning-token"), std::string::npos);
}

}  // namespace provisio::api_test
