// The GitLab client against gitlab-sim over loopback: every listing of world S read completely
// with 5% of requests failing (500, 502, timeouts, truncated bodies) and a tight rate limit gives
// exactly the data read without faults.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "gitlab/client.hpp"
#include "gitlab/curl_transport.hpp"
#include "http_client.hpp"
#include "sync/snapshot_reader.hpp"
#include "temp_dir.hpp"

namespace provisio {
namespace {

class ClientFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string world = (dir_.path() / "s.json").string();
    testing::ChildProcess gen(PROVISIO_GITLAB_SIM, {"generate", "--preset", "S", "--output", world},
                              {}, (dir_.path() / "gen.err").string());
    ASSERT_EQ(gen.wait(std::chrono::seconds(60)), 0);
    sim_ = std::make_unique<testing::ChildProcess>(
        PROVISIO_GITLAB_SIM, std::vector<std::string>{"serve", "--world", world, "--port", "0"},
        testing::EnvChanges{}, (dir_.path() / "sim.err").string());
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      const auto line = sim_->read_line(std::chrono::seconds(30));
      if (!line) break;
      if (line->find("listening") != std::string::npos) {
        port_ = std::stoi(line->substr(line->rfind(':') + 1));
      }
    }
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    sim_->send_signal(SIGTERM);
    sim_->wait(std::chrono::seconds(10));
  }

  void faults(const nlohmann::json& body) {
    auto r = testing::HttpClient(static_cast<std::uint16_t>(port_))
                 .request("POST", "/__control/faults", body.dump(),
                          {{"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  struct Read {
    Result<Snapshot> snapshot = make_error(ErrorCode::kInternal, "not read");
    gitlab::Counters counters;
  };

  Read read() {
    gitlab::CurlTransport transport;
    SeededRandom random(3);
    gitlab::ClientOptions o;
    o.base_url = "http://127.0.0.1:" + std::to_string(port_);
    o.token = "sim-admin-token";
    o.engine.backoff_base_ms = 5;
    o.engine.backoff_max_ms = 200;
    o.engine.max_attempts = 8;
    o.engine.request_timeout = std::chrono::milliseconds(1'000);
    gitlab::Client client(o, transport, random);
    Read out;
    out.snapshot = sync::read_snapshot(client, {"acme", "umbrella"}, "2026-11-28");
    out.counters = client.counters();
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::ChildProcess> sim_;
  int port_ = 0;
};

// Everything a snapshot holds, as comparable text.
std::string fingerprint(const Snapshot& s) {
  nlohmann::json j;
  for (const auto& [id, g] : s.groups) {
    nlohmann::json shares = nlohmann::json::array();
    for (const auto& sh : g.shared_with_groups) {
      shares.push_back({sh.group_id, sh.group_access_level, sh.expires_at.value_or("")});
    }
    j["groups"][std::to_string(id)] = {g.full_path, g.parent_id.value_or(0), shares};
  }
  for (const auto* by : {&s.group_members, &s.project_members}) {
    for (const auto& [id, members] : *by) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& m : members) {
        list.push_back({m.user_id, m.access_level, m.expires_at.value_or(""), m.state,
                        m.member_role ? m.member_role->name : ""});
      }
      j[by == &s.group_members ? "gm" : "pm"][std::to_string(id)] = list;
    }
  }
  for (const auto& [id, p] : s.projects) {
    j["projects"][std::to_string(id)] = {p.path_with_namespace, p.visibility, p.namespace_id,
                                         p.shared_with_groups.size()};
  }
  return j.dump();
}

TEST_F(ClientFaultsTest, FailuresAndATightRateLimitChangeNothingInWhatIsRead) {
  const Read clean = read();
  ASSERT_TRUE(clean.snapshot) << clean.snapshot.error().message;
  EXPECT_GT(clean.snapshot->project_members.size(), 100u);
  EXPECT_EQ(clean.counters.retries, 0);

  faults({{"failure_rate", 0.05},
          {"seed", 11},
          {"failure_kinds", {"500", "502", "timeout", "truncated"}},
          {"timeout_delay_ms", 3'000},
          {"rate_limit", 1'200},
          {"rate_limit_period_s", 60}});
  const Read faulty = read();
  ASSERT_TRUE(faulty.snapshot) << faulty.snapshot.error().message;
  EXPECT_EQ(fingerprint(*faulty.snapshot), fingerprint(*clean.snapshot));
  EXPECT_GT(faulty.counters.retries, 0);  // the faults did happen, and were retried
}

TEST_F(ClientFaultsTest, AFailingEndpointFailsTheReadNamingIt) {
  faults({{"fail_paths", {"/api/v4/groups/*/descendant_groups"}}});
  const Read r = read();
  ASSERT_FALSE(r.snapshot);
  EXPECT_NE(r.snapshot.error().message.find("descendant_groups"), std::string::npos)
      << r.snapshot.error().message;
}

}  // namespace
}  // namespace provisio
