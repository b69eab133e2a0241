// The built `provisio` binary as an operator runs it: serve on loopback, stop with SIGTERM,
// migrate, export, and the refusal of bad settings.

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

using namespace std::chrono_literals;

const std::string kProvisio = PROVISIO_BINARY;
const std::string kListening = "Provisio is listening on http://127.0.0.1:";
const std::string kGeneratedPassword = "Created the local administrator: login admin, password ";

// `provisio serve` on a free loopback port, with its stdout lines up to the announcement.
class Serving {
 public:
  Serving(const TempDir& dir, const std::string& name, const EnvChanges& env,
          std::vector<std::string> extra_args = {})
      : stderr_path_((dir.path() / (name + ".stderr")).string()),
        child_(kProvisio, serve_args(dir, std::move(extra_args)), env, stderr_path_) {
    // Generous: the first start hashes a password (argon2id) and may run under sanitizers.
    while (auto line = child_.read_line(60s)) {
      lines_.push_back(*line);
      if (line->rfind(kListening, 0) == 0) {
        port_ = static_cast<std::uint16_t>(std::stoi(line->substr(kListening.size())));
        return;
      }
    }
  }

  static std::vector<std::string> serve_args(const TempDir& dir, std::vector<std::string> extra) {
    std::vector<std::string> args{"serve",
                                  "--port",
                                  "0",
                                  "--bind",
                                  "127.0.0.1",
                                  "--data-dir",
                                  (dir.path() / "data").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::uint16_t port() const { return port_; }
  const std::vector<std::string>& lines() const { return lines_; }
  std::string stderr_text() const { return read_file(stderr_path_); }

  // SIGTERM, then the exit code (nothing if it did not exit within the bound).
  std::optional<int> terminate() {
    child_.send_signal(SIGTERM);
    const auto code = child_.wait(20s);
    std::istringstream rest(child_.read_rest(1s));
    for (std::string line; std::getline(rest, line);) lines_.push_back(line);
    return code;
  }

 private:
  std::string stderr_path_;
  ChildProcess child_;
  std::vector<std::string> lines_;
  std::uint16_t port_ = 0;
};

bool any_line_contains(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& line : lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

Completed provisio(const TempDir& dir, std::vector<std::string> args, const EnvChanges& env = {}) {
  return run_command(kProvisio, args, env, (dir.path() / "command.stderr").string());
}

TEST(ProvisioBinary, ServesHealthAndStatusThenStopsOnSigterm) {
  TempDir dir;
  Serving server(dir, "serve", {{"PROVISIO_ADMIN_PASSWORD", "s3cret-Admin-pw"}});
  ASSERT_NE(server.port(), 0) << "no announcement; stderr:\n" << server.stderr_text();
  EXPECT_FALSE(any_line_contains(server.lines(), kGeneratedPassword));

  const auto health = http_get(server.port(), "/api/system/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body),
            nlohmann::json::parse(R"({"health":"GREEN","causes":[]})"));

  const auto status = http_get(server.port(), "/api/system/status");
  EXPECT_EQ(status.status, 200);
  const auto status_json = nlohmann::json::parse(status.body);
  EXPECT_TRUE(status_json.at("id").is_string());
  EXPECT_EQ(status_json.at("version"), PROVISIO_TEST_VERSION);
  EXPECT_EQ(status_json.at("status"), "UP");

  const auto missing = http_get(server.port(), "/api/does/not/exist");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(nlohmann::json::parse(missing.body).contains("errors"));

  const auto too_big =
      HttpClient(server.port()).request("POST", "/api/system/health", std::string(2 << 20, 'x'));
  EXPECT_EQ(too_big.status, 413);

  EXPECT_EQ(server.terminate(), 0);
  const std::string log = server.stderr_text();
  EXPECT_NE(log.find("msg=\"listening\" addr=127.0.0.1 port=" + std::to_string(server.port())),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("s3cret-Admin-pw"), std::string::npos) << "the password reached the log";

  // The database the server left behind: migrate is a no-op, export shows the administrator.
  const auto migrate = provisio(dir, {"migrate", "--data-dir", (dir.path() / "data").string()});
  EXPECT_EQ(migrate.exit_code, 0) << migrate.err;
  EXPECT_NE(migrate.out.find("Schema version "), std::string::npos) << migrate.out;

  const auto exported = provisio(dir, {"export", "--data-dir", (dir.path() / "data").string()});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const auto state = nlohmann::json::parse(exported.out);
  const auto& users = state.at("users");
  ASSERT_EQ(users.size(), 1u) << exported.out;
  EXPECT_EQ(users[0].at("login"), "admin");
  EXPECT_EQ(users[0].at("name"), "Administrator");
  EXPECT_EQ(users[0].at("local"), true);
  EXPECT_EQ(users[0].at("active"), true);
  EXPECT_EQ(users[0].at("externalProvider"), "sonarqube");
  const auto admin_grant =
      nlohmann::json::parse(R"({"projectKey":null,"login":"admin","permission":"admin"})");
  EXPECT_NE(std::find(state.at("permissions").begin(), state.at("permissions").end(), admin_grant),
            state.at("permissions").end())
      << exported.out;
  const auto membership = nlohmann::json::parse(R"({"group":"sonar-users","login":"admin"})");
  EXPECT_NE(std::find(state.at("memberships").begin(), state.at("memberships").end(), membership),
            state.at("memberships").end())
      << exported.out;
  for (const char* key : {"groups", "projects"}) EXPECT_TRUE(state.at(key).is_array());
}

TEST(ProvisioBinary, PrintsAGeneratedAdminPasswordOnlyOnTheFirstStart) {
  TempDir dir;
  std::string password;
  {
    Serving first(dir, "first", {});
    ASSERT_NE(first.port(), 0) << first.stderr_text();
    for (const auto& line : first.lines()) {
      if (line.rfind(kGeneratedPassword, 0) == 0) {
        password = line.substr(kGeneratedPassword.size());
        password = password.substr(0, password.find(' '));
      }
    }
    EXPECT_GE(password.size(), 12u) << "no generated password among the lines printed";
    EXPECT_EQ(first.terminate(), 0);
    EXPECT_EQ(first.stderr_text().find(password), std::string::npos)
        << "the password reached the log";
  }
  Serving second(dir, "second", {});
  ASSERT_NE(second.port(), 0) << second.stderr_text();
  EXPECT_EQ(second.terminate(), 0);
  EXPECT_FALSE(any_line_contains(second.lines(), "Created the local administrator"));
  EXPECT_FALSE(any_line_contains(second.lines(), password));
}

TEST(ProvisioBinary, ServesTheWebAdminBehindTheApiAndNothingOutsideItsDirectory) {
  TempDir dir;
  const auto ui = dir.path() / "ui";
  std::filesystem::create_directories(ui / "assets");
  std::ofstream(ui / "index.html") << "<!doctype html><title>admin</title>";
  std::ofstream(ui / "assets" / "app-1a2b.js") << "export {};";
  std::ofstream(dir.path() / "outside.txt") << "not for the web";
  Serving server(dir, "serve", {{"PROVISIO_ADMIN_PASSWORD", "s3cret-Admin-pw"}},
                 {"--ui-dir", ui.string()});
  ASSERT_NE(server.port(), 0) << "no announcement; stderr:\n" << server.stderr_text();

  const auto js = http_get(server.port(), "/assets/app-1a2b.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "export {};");
  EXPECT_EQ(js.headers.at("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers.at("Cache-Control"), "public, max-age=31536000, immutable");

  const auto page = http_get(server.port(), "/projects/k/permissions");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!doctype html><title>admin</title>");
  EXPECT_EQ(page.headers.at("Cache-Control"), "no-cache");

  // The API keeps priority, and its unknown paths keep their JSON 404.
  EXPECT_EQ(http_get(server.port(), "/api/system/health").status, 200);
  const auto unknown = http_get(server.port(), "/api/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(nlohmann::json::parse(unknown.body).contains("errors"));

  // Sent as written (no client-side normalisation): refused, and never the file outside.
  for (const char* target :
       {"/../outside.txt", "/assets/../../outside.txt", "/%2e%2e/outside.txt"}) {
    const auto refused = http_get(server.port(), target);
    EXPECT_EQ(refused.status, 400) << target;
    EXPECT_EQ(refused.body.find("not for the web"), std::string::npos) << target;
  }
  // Encoded slashes and backslashes, double encoding, NUL, and a link that leads out: refused or
  // not found, never the file outside.
  std::filesystem::create_symlink(dir.path() / "outside.txt", ui / "assets" / "link.txt");
  for (const char* target :
       {"/assets/%2e%2e/%2e%2e/outside.txt", "/..%2foutside.txt", "/%2e%2e%5coutside.txt",
        "/assets/..%5c..%5coutside.txt", "/%252e%252e/outside.txt", "/outside.txt%00.js",
        "/assets/link.txt", "//..//outside.txt", "/assets/./../../outside.txt"}) {
    const auto refused = http_get(server.port(), target);
    EXPECT_TRUE(refused.status == 400 || refused.status == 404) << target << " " << refused.status;
    EXPECT_EQ(refused.body.find("not for the web"), std::string::npos) << target;
  }
  EXPECT_EQ(server.terminate(), 0);
}

TEST(ProvisioBinary, RefusesBadSettingsWithExitCode2) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();

  const auto port = provisio(dir, {"serve", "--port", "eighty", "--data-dir", data});
  EXPECT_EQ(port.exit_code, 2);
  EXPECT_NE(port.err.find("--port"), std::string::npos) << port.err;

  const auto env_port =
      provisio(dir, {"migrate", "--data-dir", data}, {{"PROVISIO_PORT", "70000"}});
  EXPECT_EQ(env_port.exit_code, 2);
  EXPECT_NE(env_port.err.find("PROVISIO_PORT"), std::string::npos) << env_port.err;

  const std::string config = (dir.path() / "provisio.toml").string();
  std::ofstream(config) << "port = 9000\ndb = \"unterminated\n";
  const auto toml = provisio(dir, {"serve", "--config", config, "--data-dir", data});
  EXPECT_EQ(toml.exit_code, 2);
  EXPECT_NE(toml.err.find(config + ":2"), std::string::npos) << toml.err;

  const auto missing = provisio(dir, {"serve", "--config", config + ".missing"});
  EXPECT_EQ(missing.exit_code, 2);

  const auto scheme = provisio(dir, {"migrate", "--db", "mysql://u:pw@h/db"});
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_NE(scheme.err.find("Unsupported database URL"), std::string::npos) << scheme.err;
  EXPECT_EQ(scheme.err.find("pw@"), std::string::npos);

  const auto unknown = provisio(dir, {"serve", "--no-such-flag"});
  EXPECT_EQ(unknown.exit_code, 2);
  const auto none = provisio(dir, {});
  EXPECT_EQ(none.exit_code, 2);
}

TEST(ProvisioBinary, EveryCommandHasHelp) {
  TempDir dir;
  for (const char* command : {"serve", "migrate", "export"}) {
    const auto help = provisio(dir, {command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("--data-dir"), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("--db"), std::string::npos) << help.out;
  }
}

TEST(ProvisioBinary, ExportRefusesADatabaseThatWasNeverMigrated) {
  TempDir dir;
  const auto exported = provisio(dir, {"export", "--data-dir", (dir.path() / "data").string()});
  EXPECT_EQ(exported.exit_code, 1);
  EXPECT_NE(exported.err.find("provisio migrate"), std::string::npos) << exported.err;
  EXPECT_TRUE(exported.out.empty()) << exported.out;
}

TEST(ProvisioBinary, ExplainSaysWhyAndRefusesAnUnknownUser) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const EnvChanges env = {{"PROVISIO_ADMIN_PASSWORD", "s3cret-Admin-pw"}};
  ASSERT_EQ(provisio(dir, {"migrate", "--data-dir", data}, env).exit_code, 0);
  ASSERT_EQ(
      provisio(dir, {"project", "create", "--data-dir", data, "--key", "web", "--name", "Web"})
          .exit_code,
      0);
  // The built-in admin is created by the first `serve`; a project key alone needs no user.
  const auto unknown =
      provisio(dir, {"explain", "--data-dir", data, "--login", "nobody", "--project", "web"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("There is no user with the login 'nobody'"), std::string::npos)
      << unknown.err;
  const auto both = provisio(dir, {"explain", "--data-dir", data, "--login", "x"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_EQ(provisio(dir, {"explain", "--help"}).exit_code, 0);
}

TEST(ProvisioBinary, ExplainSucceedsForAKnownUserWithTheReasonsAsTextAndJson) {
  TempDir dir;
  const std::string data = (dir.path() / "data").string();
  const EnvChanges env = {{"PROVISIO_ADMIN_PASSWORD", "s3cret-Admin-pw"}};
  {
    // The first start creates the built-in local administrator.
    Serving server(dir, "serve", env);
    ASSERT_NE(server.port(), 0) << "no announcement; stderr:\n" << server.stderr_text();
    ASSERT_EQ(server.terminate(), 0);
  }
  ASSERT_EQ(
      provisio(dir, {"project", "create", "--data-dir", data, "--key", "web", "--name", "Web"})
          .exit_code,
      0);
  const auto text =
      provisio(dir, {"explain", "--data-dir", data, "--login", "admin", "--project", "web"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("admin"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Automatic provisioning is off"), std::string::npos) << text.out;
  const auto as_json = provisio(
      dir, {"explain", "--data-dir", data, "--login", "admin", "--project", "web", "--json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  const auto j = nlohmann::json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << as_json.out;
  EXPECT_EQ(j["login"], "admin");
  EXPECT_EQ(j["projectKey"], "web");
  ASSERT_TRUE(j["reasons"].is_array());
  ASSERT_FALSE(j["reasons"].empty());
  EXPECT_NE(j["reasons"][0].get<std::string>().find("Automatic provisioning is off"),
            std::string::npos);
}

}  // namespace
}  // namespace provisio::testing
