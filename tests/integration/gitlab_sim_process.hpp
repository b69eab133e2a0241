#pragma once
// gitlab-sim as a test child: a world generated into the test's directory, served on a free
// loopback port, stopped with SIGTERM. get/all read the REST API as the administrator; control
// calls the control API (README.md of tools/gitlab-sim).

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"
#include "sync/configuration.hpp"

namespace provisio::testing {

class GitlabSimProcess {
 public:
  // `generate`: the arguments of `gitlab-sim generate` besides --output.
  GitlabSimProcess(const std::string& binary, const std::string& dir,
                   std::vector<std::string> generate = {"--preset", "S"}) {
    const std::string world = dir + "/world.json";
    generate.insert(generate.begin(), "generate");
    generate.insert(generate.end(), {"--output", world});
    ChildProcess gen(binary, generate, {}, dir + "/generate.err");
    EXPECT_EQ(gen.wait(std::chrono::seconds(60)), 0);
    process_ = std::make_unique<ChildProcess>(
        binary, std::vector<std::string>{"serve", "--world", world, "--port", "0"}, EnvChanges{},
        dir + "/sim.err");
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      const auto line = process_->read_line(std::chrono::seconds(30));
      if (!line) break;
      const auto at = line->rfind(':');
      if (line->find("listening") != std::string::npos) port_ = std::stoi(line->substr(at + 1));
    }
    EXPECT_NE(port_, 0) << "gitlab-sim did not start";
  }
  ~GitlabSimProcess() {
    process_->send_signal(SIGTERM);
    process_->wait(std::chrono::seconds(10));
  }
  GitlabSimProcess(const GitlabSimProcess&) = delete;
  GitlabSimProcess& operator=(const GitlabSimProcess&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return static_cast<std::uint16_t>(port_); }

  // Provisio's GitLab configuration for this simulator: automatic provisioning of `groups`,
  // read with the administrator's token.
  sync::GitlabConfigPatch automatic_provisioning(std::vector<std::string> groups) const {
    sync::GitlabConfigPatch patch;
    patch.url = url();
    patch.secret = "oauth-secret";
    patch.application_id = "sim-client-id";
    patch.provisioning_type = ProvisioningType::kAutoProvisioning;
    patch.provisioning_token = "sim-admin-token";
    patch.allowed_groups = std::move(groups);
    return patch;
  }

  nlohmann::json get(const std::string& target) {
    auto r = HttpClient(port()).request("GET", target, "", {{"PRIVATE-TOKEN", "sim-admin-token"}});
    EXPECT_EQ(r.status, 200) << target << " " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  // Every item of a listing, page by page.
  std::vector<nlohmann::json> all(const std::string& path, const std::string& query = "") {
    std::vector<nlohmann::json> out;
    for (int page = 1;; ++page) {
      nlohmann::json items = get(path + "?per_page=100&page=" + std::to_string(page) +
                                 (query.empty() ? "" : "&" + query));
      if (!items.is_array() || items.empty()) break;
      for (auto& i : items) out.push_back(i);
      if (items.size() < 100) break;
    }
    return out;
  }
  nlohmann::json control(const std::string& what, const nlohmann::json& body) {
    auto r = HttpClient(port()).request("POST", "/__control/" + what, body.dump(),
                                        {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << what << " " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  nlohmann::json control_get(const std::string& what) {
    auto r = HttpClient(port()).request("GET", "/__control/" + what);
    EXPECT_EQ(r.status, 200) << what << " " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace provisio::testing
