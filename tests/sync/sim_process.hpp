#pragma once
// gitlab-sim as a child process serving a fresh copy of world S, with the calls the sync tests
// make to it: GitLab reads with the admin token, whole listings, and the control API.

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"

namespace provisio::testing {

// The simulator serving a fresh copy of world S.
class Sim {
 public:
  explicit Sim(const std::string& dir) {
    const std::string world = dir + "/world-s.json";
    ChildProcess gen(PROVISIO_GITLAB_SIM, {"generate", "--preset", "S", "--output", world}, {},
                     dir + "/generate.err");
    EXPECT_EQ(gen.wait(std::chrono::seconds(60)), 0);
    process_ = std::make_unique<ChildProcess>(
        PROVISIO_GITLAB_SIM, std::vector<std::string>{"serve", "--world", world, "--port", "0"},
        EnvChanges{}, dir + "/sim.err");
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      const auto line = process_->read_line(std::chrono::seconds(30));
      if (!line) break;
      const auto at = line->rfind(':');
      if (line->find("listening") != std::string::npos) port_ = std::stoi(line->substr(at + 1));
    }
    EXPECT_NE(port_, 0) << "gitlab-sim did not start";
  }
  ~Sim() {
    process_->send_signal(SIGTERM);
    process_->wait(std::chrono::seconds(10));
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::uint16_t port() const { return static_cast<std::uint16_t>(port_); }

  nlohmann::json get(const std::string& target) {
    auto r = HttpClient(static_cast<std::uint16_t>(port_))
                 .request("GET", target, "", {{"PRIVATE-TOKEN", "sim-admin-token"}});
    EXPECT_EQ(r.status, 200) << target << " " << r.body;
    return nlohmann::json::parse(r.body);
  }
  // Every item of a listing, page by page.
  std::vector<nlohmann::json> all(const std::string& path, const std::string& query = "") {
    std::vector<nlohmann::json> out;
    for (int page = 1;; ++page) {
      nlohmann::json items = get(path + "?per_page=100&page=" + std::to_string(page) +
                                 (query.empty() ? "" : "&" + query));
      if (items.empty()) break;
      for (auto& i : items) out.push_back(i);
      if (items.size() < 100) break;
    }
    return out;
  }
  nlohmann::json control(const std::string& what, const nlohmann::json& body) {
    auto r = HttpClient(static_cast<std::uint16_t>(port_))
                 .request("POST", "/__control/" + what, body.dump(),
                          {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << what << " " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  nlohmann::json control_get(const std::string& what) {
    auto r = HttpClient(static_cast<std::uint16_t>(port_)).request("GET", "/__control/" + what);
    EXPECT_EQ(r.status, 200) << what << " " << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace provisio::testing
