// The built gitlab-sim binary over loopback: generate a world, serve it on a free port,
// exercise endpoints, faults, the control API and hooks (to a receiver of our own on
// 127.0.0.1), then stop it with SIGTERM. Nothing here asserts a time.

#include <gtest/gtest.h>

#include <condition_variable>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "http/server.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

namespace provisio::sim {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using provisio::testing::ChildProcess;
using provisio::testing::ClientResponse;
using provisio::testing::HttpClient;

struct Delivery {
  std::map<std::string, std::string> headers;
  json body;
};

// Records the hooks it receives.
class HookReceiver {
 public:
  HookReceiver() {
    http::Router router;
    router.add("POST", "/hooks", [this](const http::HttpRequest& r) {
      {
        std::lock_guard lock(mutex_);
        deliveries_.push_back({r.headers, json::parse(r.body, nullptr, false)});
      }
      changed_.notify_all();
      http::HttpResponse ok;
      ok.body = "{}";
      return ok;
    });
    http::ServerOptions options;
    options.bind_address = "127.0.0.1";
    server_ = std::make_unique<http::Server>(options, std::move(router));
    port_ = server_->start().value();
  }
  ~HookReceiver() { server_->stop(); }
  std::uint16_t port() const { return port_; }
  // Waits until `count` deliveries have arrived (at most 10 s) and returns them.
  std::vector<Delivery> wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return deliveries_.size() >= count; });
    return deliveries_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Delivery> deliveries_;
  std::unique_ptr<http::Server> server_;
  std::uint16_t port_ = 0;
};

class Served : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string world = dir_.str() + "/world.json";
    const auto generated =
        provisio::testing::run_command(GITLAB_SIM_BINARY,
                                       {"generate", "--users", "80", "--groups", "12", "--depth",
                                        "3", "--projects", "20", "--seed", "7", "--output", world},
                                       {}, dir_.str() + "/generate.err");
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    child_ = std::make_unique<ChildProcess>(
        GITLAB_SIM_BINARY,
        std::vector<std::string>{"serve", "--world", world, "--port", "0", "--hook-url",
                                 "http://127.0.0.1:" + std::to_string(receiver_.port()) + "/hooks",
                                 "--hook-secret", "s3cret"},
        provisio::testing::EnvChanges{}, dir_.str() + "/serve.err");
    const auto line = child_->read_line(30s);
    ASSERT_TRUE(line) << provisio::testing::read_file(dir_.str() + "/serve.err");
    const std::string prefix = "gitlab-sim listening on http://127.0.0.1:";
    ASSERT_EQ(line->rfind(prefix, 0), 0u) << *line;
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(prefix.size())));
  }
  void TearDown() override {
    if (!child_) return;
    child_->send_signal(SIGTERM);
    EXPECT_EQ(child_->wait(20s), 0);
  }
  ClientResponse api(const std::string& target, const std::string& token = "sim-owner-token") {
    return HttpClient(port_).request("GET", target, "", {{"PRIVATE-TOKEN", token}});
  }
  json control(const std::string& path, const json& body) {
    const auto r = HttpClient(port_).request("POST", "/__control/" + path, body.dump(),
                                             {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body);
  }

  provisio::testing::TempDir dir_;
  HookReceiver receiver_;
  std::unique_ptr<ChildProcess> child_;
  std::uint16_t port_ = 0;
};

TEST_F(Served, AnswersTheApiWithPaginationAndAuth) {
  const auto user = api("/api/v4/user");
  ASSERT_EQ(user.status, 200) << user.body;
  EXPECT_EQ(json::parse(user.body)["username"], "provisioner");
  const auto members = api("/api/v4/groups/acme/members/all?per_page=2");
  EXPECT_EQ(members.status, 200);
  EXPECT_EQ(members.headers.at("x-per-page"), "2");
  EXPECT_TRUE(members.headers.count("Link"));
  EXPECT_EQ(api("/api/v4/groups/outside", "sim-owner-token").status, 404);
  EXPECT_EQ(api("/api/v4/groups/outside", "sim-admin-token").status, 200);
  EXPECT_EQ(api("/api/v4/user", "sim-revoked-token").status, 401);
  EXPECT_EQ(api("/api/v4/groups/1", "sim-readuser-token").status, 403);
}

TEST_F(Served, RateLimitAnswers429WithRetryAfterAndHeaders) {
  control("faults", {{"rate_limit", 2}, {"rate_limit_period_s", 60}});
  const auto first = api("/api/v4/user");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.headers.at("RateLimit-Limit"), "2");
  EXPECT_EQ(first.headers.at("RateLimit-Remaining"), "1");
  EXPECT_TRUE(first.headers.count("RateLimit-Reset"));
  EXPECT_TRUE(first.headers.count("RateLimit-ResetTime"));
  EXPECT_EQ(api("/api/v4/user").status, 200);
  const auto limited = api("/api/v4/user");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body, "Retry later\n");
  EXPECT_GE(std::stoi(limited.headers.at("Retry-After")), 1);
  EXPECT_EQ(limited.headers.at("RateLimit-Name"), "throttle_authenticated_api");
  // The control API is never limited.
  control("faults", {{"rate_limit", 0}});
  EXPECT_EQ(api("/api/v4/user").status, 200);
}

TEST_F(Served, FailPathsFailureKindsAndLatency) {
  control("faults", {{"fail_paths", {"/api/v4/groups/*/members"}}});
  EXPECT_EQ(api("/api/v4/groups/1/members").status, 500);
  EXPECT_EQ(api("/api/v4/groups/1/members/all").status, 200);
  control("faults",
          {{"fail_paths", json::array()}, {"failure_rate", 1.0}, {"failure_kinds", {"502"}}});
  EXPECT_EQ(api("/api/v4/user").status, 502);
  control("faults", {{"failure_kinds", {"timeout"}}, {"timeout_delay_ms", 300}});
  EXPECT_EQ(api("/api/v4/user").status, 504);  // held back, then answered
  control("faults", {{"failure_kinds", {"truncated"}}});
  HttpClient client(port_);
  EXPECT_THROW(client.request("GET", "/api/v4/user", "", {{"PRIVATE-TOKEN", "sim-owner-token"}}),
               boost::system::system_error);
  control("faults", {{"failure_rate", 0.0}, {"latency_ms", 200}});
  EXPECT_EQ(api("/api/v4/user").status, 200);
  const auto faults = HttpClient(port_).request("GET", "/__control/faults");
  EXPECT_EQ(json::parse(faults.body)["latency_ms"], 200);
}

TEST_F(Served, FailPathsCanAnswerMalformedOrTruncatedJsonThatLooksWhole) {
  const std::string whole = api("/api/v4/groups/1/members").body;
  control("faults", {{"fail_paths", {"/api/v4/groups/*/members"}}, {"fail_kind", "malformed"}});
  const auto malformed = api("/api/v4/groups/1/members");
  EXPECT_EQ(malformed.status, 200);
  EXPECT_TRUE(json::parse(malformed.body, nullptr, false).is_discarded()) << malformed.body;
  control("faults", {{"fail_kind", "truncated_json"}});
  const auto cut = api("/api/v4/groups/1/members");  // a complete transfer of half the body
  EXPECT_EQ(cut.status, 200);
  EXPECT_EQ(cut.body, whole.substr(0, whole.size() / 2));
  EXPECT_EQ(HttpClient(port_)
                .request("POST", "/__control/faults", R"({"fail_kind":"teapot"})",
                         {{"Content-Type", "application/json"}})
                .status,
            400);
}

TEST_F(Served, RateWindowsCountWhatWasSeenAndRefusedAndHeadersCanBeLimitedTo429s) {
  control("faults", {{"rate_limit", 2},
                     {"rate_limit_period_s", 60},
                     {"rate_limit_headers_on_every_answer", false}});
  const auto first = api("/api/v4/user");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.headers.count("RateLimit-Limit"), 0u);
  api("/api/v4/user");
  const auto limited = api("/api/v4/user");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.at("RateLimit-Remaining"), "0");
  const json windows =
      json::parse(HttpClient(port_).request("GET", "/__control/faults").body)["rate_windows"];
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0]["observed"], 3);
  EXPECT_EQ(windows[0]["throttled"], 1);
}

TEST_F(Served, ATokenChangeCanWaitForANumberOfRequests) {
  control("tokens/revoke", {{"token", "sim-owner-token"}, {"after_requests", 2}});
  EXPECT_EQ(api("/api/v4/user").status, 200);
  EXPECT_EQ(api("/api/v4/user").status, 200);
  EXPECT_EQ(api("/api/v4/user").status, 401);
  control("tokens/update",
          {{"token", "sim-admin-token"}, {"expires_at", "2024-01-15"}, {"after_requests", 1}});
  EXPECT_EQ(api("/api/v4/user", "sim-admin-token").status, 200);
  const auto expired = api("/api/v4/user", "sim-admin-token");
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;
  EXPECT_EQ(HttpClient(port_)
                .request("POST", "/__control/tokens/revoke",
                         R"({"token":"sim-readuser-token","after_requests":-1})",
                         {{"Content-Type", "application/json"}})
                .status,
            400);
}

TEST_F(Served, CountsRequestsPerEndpoint) {
  control("counters/reset", json::object());
  api("/api/v4/groups/1/members");
  api("/api/v4/groups/2/members");
  api("/api/v4/user");
  const json counters = json::parse(HttpClient(port_).request("GET", "/__control/counters").body);
  EXPECT_EQ(counters["total"], 3);
  EXPECT_EQ(counters["endpoints"]["GET /api/v4/groups/{id}/members"], 2);
  EXPECT_EQ(counters["paths"]["/api/v4/user"], 1);
}

TEST_F(Served, ControlChangesTheWorldAndEmitsHooks) {
  const json added = control(
      "members", {{"source", "group"}, {"id", "acme"}, {"username", "root"}, {"access_level", 30}});
  EXPECT_EQ(added["hooks"].size(), 2u);
  const auto member = api("/api/v4/groups/1/members/1");
  ASSERT_EQ(member.status, 200);
  EXPECT_EQ(json::parse(member.body)["access_level"], 30);
  const auto deliveries = receiver_.wait_for(2);
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(deliveries[0].headers.at("x-gitlab-event"), "System Hook");
  EXPECT_EQ(deliveries[0].headers.at("x-gitlab-token"), "s3cret");
  EXPECT_EQ(deliveries[0].body["event_name"], "user_add_to_group");
  EXPECT_EQ(deliveries[0].body["group_access"], "Developer");
  EXPECT_EQ(deliveries[1].headers.at("x-gitlab-event"), "Member Hook");

  control("members/remove", {{"source", "group"}, {"id", 1}, {"user_id", 1}});
  EXPECT_EQ(api("/api/v4/groups/1/members/1").status, 404);
  EXPECT_EQ(receiver_.wait_for(4)[2].body["event_name"], "user_remove_from_group");

  control("visibility", {{"source", "group"}, {"id", "outside"}, {"visibility", "public"}});
  EXPECT_EQ(api("/api/v4/groups/outside").status, 200);
  control("groups/rename", {{"id", "umbrella"}, {"name", "Brolly"}, {"path", "brolly"}});
  EXPECT_EQ(json::parse(api("/api/v4/groups/brolly").body)["id"], 2);
  EXPECT_EQ(receiver_.wait_for(5)[4].body["event_name"], "group_rename");
  control("users/block", {{"username", "provisioner"}});
  EXPECT_EQ(api("/api/v4/user").status, 403);
  control("users/unblock", {{"username", "provisioner"}});
  control("tokens/revoke", {{"token", "sim-owner-token"}});
  const auto revoked = api("/api/v4/user");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(json::parse(revoked.body)["error"], "invalid_token");
}

}  // namespace
}  // namespace provisio::sim
