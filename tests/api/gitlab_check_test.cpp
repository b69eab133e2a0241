// The live check behind `errorMessage`, against the GitLab simulator: a working token, and the
// precise message for each token problem.
#include "app/gitlab_check.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "http_client.hpp"
#include "postgres_cluster.hpp"

namespace provisio::api_test {
namespace {

using namespace std::chrono_literals;

class GitlabCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(provisio::testing::make_temp_dir("provisio-check-"));
    const std::string world = *dir_ + "/world.json";
    const auto generated = provisio::testing::run_command(
        GITLAB_SIM_BINARY, {"generate", "--preset", "S", "--output", world}, {},
        *dir_ + "/generate.err");
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    sim_ = new provisio::testing::ChildProcess(
        GITLAB_SIM_BINARY, {"serve", "--world", world, "--port", "0"}, {}, *dir_ + "/serve.err");
    const auto line = sim_->read_line(30s);
    ASSERT_TRUE(line);
    url_ = new std::string(line->substr(line->find("http://")));
  }
  static void TearDownTestSuite() {
    if (sim_ != nullptr) {
      sim_->send_signal(SIGTERM);
      sim_->wait(20s);
      delete sim_;
    }
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
    delete url_;
  }

  static GitlabConfig config(const std::string& token, ProvisioningType type,
                             std::vector<std::string> groups = {"acme", "umbrella"}) {
    GitlabConfig c;
    c.enabled = true;
    c.url = *url_;
    c.secret = "s";
    c.provisioning_token = token;
    c.provisioning_type = type;
    c.allowed_groups = std::move(groups);
    return c;
  }

  static inline std::string* dir_ = nullptr;
  static inline std::string* url_ = nullptr;
  static inline provisio::testing::ChildProcess* sim_ = nullptr;
};

TEST_F(GitlabCheckTest, AWorkingConfigurationHasNoErrorMessage) {
  EXPECT_EQ(
      app::check_gitlab_config(config("sim-owner-token", ProvisioningType::kAutoProvisioning)),
      std::nullopt);
  GitlabConfig jit;
  jit.enabled = true;
  jit.url = *url_;
  EXPECT_EQ(app::check_gitlab_config(jit), std::nullopt);  // reachable; no token to check
}

TEST_F(GitlabCheckTest, EachTokenProblemHasItsOwnMessage) {
  const auto expired =
      app::check_gitlab_config(config("sim-expired-token", ProvisioningType::kJit));
  ASSERT_TRUE(expired);
  EXPECT_NE(expired->find("expired"), std::string::npos) << *expired;
  const auto revoked =
      app::check_gitlab_config(config("sim-revoked-token", ProvisioningType::kJit));
  ASSERT_TRUE(revoked);
  EXPECT_NE(revoked->find("revoked"), std::string::npos) << *revoked;
  const auto scope = app::check_gitlab_config(config("sim-readuser-token", ProvisioningType::kJit));
  ASSERT_TRUE(scope);
  EXPECT_NE(scope->find("read_api"), std::string::npos) << *scope;
  const auto unknown = app::check_gitlab_config(config("no-such-token", ProvisioningType::kJit));
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->find("does not accept the token"), std::string::npos) << *unknown;
  for (const auto& m : {expired, revoked, scope, unknown}) {
    EXPECT_EQ(m->find("sim-"), std::string::npos) << "a message quotes the token: " << *m;
  }
}

TEST_F(GitlabCheckTest, NamesAnAllowedGroupThatIsMissingOrNotARoot) {
  const auto missing = app::check_gitlab_config(
      config("sim-owner-token", ProvisioningType::kAutoProvisioning, {"no-such-group"}));
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->find("'no-such-group'"), std::string::npos) << *missing;

  // A subgroup of acme, by its full path: it exists, but it is no root.
  const std::string port = url_->substr(url_->rfind(':') + 1);
  const auto listed = provisio::testing::HttpClient(static_cast<std::uint16_t>(std::stoi(port)))
                          .request("GET", "/api/v4/groups/acme/descendant_groups?per_page=1", "",
                                   {{"PRIVATE-TOKEN", "sim-admin-token"}});
  ASSERT_EQ(listed.status, 200) << listed.body;
  const std::string subgroup = nlohmann::json::parse(listed.body).at(0).at("full_path");
  ASSERT_EQ(subgroup.rfind("acme/", 0), 0u) << subgroup;
  const auto not_root = app::check_gitlab_config(
      config("sim-owner-token", ProvisioningType::kAutoProvisioning, {"acme", subgroup}));
  ASSERT_TRUE(not_root);
  EXPECT_EQ(*not_root, "The allowed group '" + subgroup +
                           "' is not a root group; allow its root group 'acme' instead.");
}

TEST_F(GitlabCheckTest, AnUnreachableUrlIsReportedQuickly) {
  GitlabConfig c;
  c.enabled = true;
  c.url = "http://127.0.0.1:" + std::to_string(provisio::testing::free_loopback_port());
  const auto started = std::chrono::steady_clock::now();
  const auto message = app::check_gitlab_config(c);
  ASSERT_TRUE(message);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
}  // namespace provisio::api_test
