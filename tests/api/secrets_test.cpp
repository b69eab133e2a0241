// A secret set through the API never comes back: not in any answer, not in any log line.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "api_fixture.hpp"
#include "database_dump.hpp"

namespace provisio::api_test {

TEST_P(ApiTest, SecretsSetThroughTheApiNeverAppearInAnswersOrLogs) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  const std::string secret = "oauth-SECRET-7f3a9c";
  const std::string token = "glpat-TOKEN-b81d2e";
  const std::string password = "PASSWORD-c0ffee-42";
  std::vector<std::string> answers;
  const auto keep = [&](const ClientResponse& r) {
    std::string all = r.body;
    for (const auto& [name, value] : r.headers) all += name + ": " + value + "\n";
    answers.push_back(all);
    return r;
  };
  const std::string configs = "/api/v2/dop-translation/gitlab-configurations";
  keep(json_call(As::kAdmin, "POST", configs,
                 {{"applicationId", "app"},
                  {"url", "https://gitlab.example.com"},
                  {"secret", secret},
                  {"provisioningToken", token},
                  {"allowedGroups", {"acme"}}}));
  keep(json_call(As::kAdmin, "PATCH", configs + "/gitlab-configuration",
                 {{"provisioningType", "AUTO_PROVISIONING"}, {"provisioningToken", token}}));
  // Refusals may quote input, but never the secrets.
  keep(json_call(As::kAdmin, "PATCH", configs + "/gitlab-configuration",
                 {{"url", "https://x.example.com"}, {"provisioningToken", token}}));
  keep(json_call(As::kAdmin, "PATCH", configs + "/gitlab-configuration",
                 {{"enabled", false}, {"secret", secret}}));
  keep(json_call(As::kAdmin, "POST", configs,
                 {{"applicationId", "a"}, {"url", "https://g"}, {"secret", secret}}));
  keep(json_call(As::kAdmin, "PATCH", configs + "/gitlab-configuration",
                 {{"secret", secret}, {"provisioningToken", 5}}));
  keep(json_call(As::kAdmin, "POST", "/api/v2/users-management/users",
                 {{"login", "someone"}, {"name", "S"}, {"password", password}}));
  keep(form_call(As::kAnonymous, "/api/authentication/login", "login=admin&password=" + password));
  keep(form_call(As::kAnonymous, "/api/authentication/login",
                 "login=admin&password=" + std::string(kAdminPassword)));
  for (const http::ApiRoute& route : http::api_routes(*context_)) {
    if (route.method != "GET") continue;
    std::string target = route.pattern;
    if (target.find('{') != std::string::npos) {
      target = target.substr(0, target.find('{')) + "gitlab-configuration";
    }
    keep(call(As::kAdmin, "GET", target));
  }
  keep(call(As::kAdmin, "GET", "/api/v2/provisioning/audit?entityType=config"));
  keep(call(As::kAdmin, "GET", configs + "/gitlab-configuration?secret=" + secret));
  spdlog::set_default_logger(previous);

  ASSERT_GT(answers.size(), 20u);
  bool saw_config = false;
  for (const std::string& a : answers) {
    for (const std::string& s : {secret, token, password}) {
      EXPECT_EQ(a.find(s), std::string::npos) << "an answer holds a secret: " << a.substr(0, 300);
    }
    saw_config = saw_config || a.find("isProvisioningTokenSet\":true") != std::string::npos;
  }
  EXPECT_TRUE(saw_config);
  const std::string logs = captured.str();
  EXPECT_FALSE(logs.empty());  // the access log went through the captured logger
  for (const std::string& s : {secret, token, password, std::string(kAdminPassword)}) {
    EXPECT_EQ(logs.find(s), std::string::npos) << "the log holds a secret";
  }
  // The database does not hold the clear text either: no row of any table has it (the secrets
  // are sealed), yet read back through the store they are what was set.
  const testing::DatabaseDump rows = testing::dump_database(url_);
  ASSERT_GT(testing::row_count(rows), 0u);
  for (const auto& [table, lines] : rows) {
    for (const std::string& line : lines) {
      for (const std::string& s : {secret, token, password}) {
        EXPECT_EQ(line.find(s), std::string::npos) << table << " holds a secret in clear: " << line;
      }
    }
  }
  auto stored = store_->load_gitlab_config();
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->secret, secret);
  EXPECT_EQ((*stored)->provisioning_token, token);
}

}  // namespace provisio::api_test
