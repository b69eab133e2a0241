// The README's `make run`, as a newcomer meets it, on a copy of the repository's scripts with the
// binaries already built (the test never builds): scripts/run starts the demo (gitlab-sim with
// world S on 127.0.0.1, the server configured against it), the page and the API answer, the first
// sync succeeds, and SIGINT (Ctrl-C) stops everything with no process left behind.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// admin:admin, the demo's administrator.
const std::map<std::string, std::string> kAdmin{{"Authorization", "Basic YWRtaW46YWRtaW4="}};

json get_json(std::uint16_t port, const std::string& target) {
  const auto r = HttpClient(port).request("GET", target, "", kAdmin);
  EXPECT_EQ(r.status, 200) << target << ": " << r.body;
  return json::parse(r.body, nullptr, false);
}

// The processes whose working directory is `dir`: what scripts/run started there.
std::vector<std::string> processes_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const fs::path cwd = fs::read_symlink(entry.path() / "cwd", ec);
    if (!ec && cwd == dir) out.push_back(pid + " " + read_file(entry.path() / "cmdline"));
  }
  return out;
}

// A copy of what `make run` needs from a checkout, with the binaries and the UI already built.
fs::path make_checkout(const TempDir& dir) {
  const fs::path root = fs::canonical(dir.path()) / "checkout";
  fs::create_directories(root / "scripts");
  fs::create_directories(root / "build" / "bin");
  fs::create_directories(root / "ui");
  fs::copy_file(fs::path(PROVISIO_SOURCE_DIR) / "scripts" / "run", root / "scripts" / "run");
  fs::create_symlink(PROVISIO_BINARY, root / "build" / "bin" / "provisio");
  fs::create_symlink(GITLAB_SIM_BINARY, root / "build" / "bin" / "gitlab-sim");
  fs::create_directory_symlink(fs::path(PROVISIO_SOURCE_DIR) / "ui" / "dist", root / "ui" / "dist");
  return root;
}

TEST(MakeRun, StartsTheDemoSyncsItAndStopsEverythingOnCtrlC) {
  ASSERT_TRUE(fs::exists(fs::path(PROVISIO_SOURCE_DIR) / "ui" / "dist" / "index.html"))
      << "build the web admin first (make ui)";
  TempDir dir;
  const fs::path root = make_checkout(dir);
  std::uint16_t port = 0;
  std::vector<std::string> printed;
  {
    ChildProcess run("/bin/bash", {(root / "scripts" / "run").string(), "--port", "0"}, {},
                     (dir.path() / "run.stderr").string());
    const std::regex ready(R"(^Provisio is ready at http://127\.0\.0\.1:(\d+)$)");
    // Generous: it generates a world and starts two sanitizer-built programs.
    while (auto line = run.read_line(180s)) {
      printed.push_back(*line);
      std::smatch m;
      if (std::regex_match(*line, m, ready)) {
        port = static_cast<std::uint16_t>(std::stoi(m[1]));
        break;
      }
    }
    ASSERT_NE(port, 0) << "no address printed; stderr:\n"
                       << read_file((dir.path() / "run.stderr").string());

    // The page: the web admin's index.
    const auto page = HttpClient(port).request("GET", "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<html"), std::string::npos) << page.body.substr(0, 200);
    // The API: the demo's configuration, automatic provisioning against the simulator.
    const json config =
        get_json(port, "/api/v2/dop-translation/gitlab-configurations/gitlab-configuration");
    EXPECT_EQ(config.value("provisioningType", ""), "AUTO_PROVISIONING") << config.dump();
    EXPECT_EQ(config.value("allowedGroups", json::array()), json({"acme", "umbrella"}));
    EXPECT_TRUE(config.value("enabled", false));

    // The first sync, queued by enabling automatic provisioning, succeeds.
    json last;
    for (int i = 0; i < 900; ++i) {
      const json activity = get_json(port, "/api/ce/activity?type=GITLAB_AUTH_PROVISIONING");
      const auto& tasks = activity.at("tasks");
      if (!tasks.empty()) last = tasks.at(0);
      if (last.value("status", "") == "SUCCESS" || last.value("status", "") == "FAILED") break;
      std::this_thread::sleep_for(200ms);
    }
    ASSERT_EQ(last.value("status", ""), "SUCCESS") << last.dump();
    const json users = get_json(port, "/api/v2/users-management/users?managed=true");
    EXPECT_GT(users.at("page").at("total").get<int>(), 10) << users.dump().substr(0, 400);
    const json projects = get_json(port, "/api/projects/search");
    EXPECT_EQ(projects.at("components").size(), 4u) << projects.dump();

    // The CLI sees the same: the status scripts/run reads to tell a configured GitLab.
    const auto status =
        run_command(PROVISIO_BINARY,
                    {"status", "--json", "--data-dir", (root / "build" / "demo" / "data").string()},
                    {}, (dir.path() / "status.stderr").string());
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const json status_json = json::parse(status.out);
    EXPECT_EQ(status_json.value("mode", ""), "AUTO_PROVISIONING");
    EXPECT_EQ(status_json.value("gitlabUrl", "").rfind("http://127.0.0.1:", 0), 0u) << status.out;
    EXPECT_EQ(status_json.at("lastRun").value("status", ""), "SUCCESS");

    // Ctrl-C: the script stops the server and the simulator and waits for them.
    EXPECT_GE(processes_in(root).size(), 3u) << "the script, gitlab-sim and provisio run there";
    run.send_signal(SIGINT);
    EXPECT_EQ(run.wait(60s), 130);
  }
  std::vector<std::string> left = processes_in(root);
  for (int i = 0; i < 50 && !left.empty(); ++i) {  // a child may still be being reaped
    std::this_thread::sleep_for(100ms);
    left = processes_in(root);
  }
  EXPECT_TRUE(left.empty()) << "left running: " << left.front();
  EXPECT_THROW(HttpClient(port).request("GET", "/api/system/health"), std::exception);
}

}  // namespace
}  // namespace provisio::testing
