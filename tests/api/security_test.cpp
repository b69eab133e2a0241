// Issue 21: each hole an attacker's read of the code found, attacked through the running server.
// Every test here failed on the code before its fix (the issue's note says how each was run).
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <regex>
#include <set>

#include "api_fixture.hpp"
#include "core/ip_address.hpp"
#include "http/api_auth.hpp"
#include "sqlite_file.hpp"

namespace provisio::api_test {
namespace {

using namespace std::chrono_literals;

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -6;
  for (unsigned char c : in) {
    value = (value << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(kAlphabet[(value >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(kAlphabet[((value << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

// A whole exchange on a raw socket from `source` (a loopback address), so the test sees every
// Set-Cookie line and can send what a well-behaved client would not.
std::string raw_exchange(std::uint16_t port, const std::string& request,
                         const std::string& source = "127.0.0.1") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.open(boost::asio::ip::tcp::v4());
  socket.bind({boost::asio::ip::make_address(source), 0});
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string raw;
  boost::system::error_code ec;
  std::array<char, 4096> chunk{};
  while (!ec) {
    const std::size_t n = socket.read_some(boost::asio::buffer(chunk), ec);
    raw.append(chunk.data(), n);
  }
  return raw;
}

std::string form_request(const std::string& target, const std::string& body,
                         const std::map<std::string, std::string>& headers = {}) {
  std::string request = "POST " + target +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  return request + "\r\n" + body;
}

int status_of(const std::string& raw) { return raw.size() > 12 ? std::stoi(raw.substr(9, 3)) : 0; }

// The value of the cookie `name` set in a raw answer; empty when not set.
std::string set_cookie_value(const std::string& raw, const std::string& name) {
  const auto at = raw.find("Set-Cookie: " + name + "=");
  if (at == std::string::npos) return "";
  const auto start = at + 12 + name.size() + 1;
  return raw.substr(start, raw.find(';', start) - start);
}

std::string set_cookie_line(const std::string& raw, const std::string& name) {
  const auto at = raw.find("Set-Cookie: " + name + "=");
  if (at == std::string::npos) return "";
  return raw.substr(at, raw.find("\r\n", at) - at);
}

}  // namespace

class SecurityTest : public ApiTest {
 protected:
  // A request from `source`, a loopback address other than 127.0.0.1: another client.
  ClientResponse from(const std::string& source, const std::string& method,
                      const std::string& target, const std::string& body = "",
                      std::map<std::string, std::string> headers = {}) {
    return HttpClient(port_, 10s, source).request(method, target, body, headers);
  }
  int login_from(const std::string& source, const std::string& login, const std::string& password,
                 std::map<std::string, std::string> headers = {}) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return from(source, "POST", "/api/authentication/login",
                "login=" + login + "&password=" + password, headers)
        .status;
  }

  // The server again, with other options (trusted proxies, limits).
  void restart(http::ServerOptions options) {
    server_->stop();
    http::Router router;
    http::add_api_routes(router, *context_);
    options.bind_address = "127.0.0.1";
    options.body_limit = 64 * 1024;
    server_ = std::make_unique<http::Server>(options, std::move(router));
    auto port = server_->start();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
  }

  // The GitLab configuration as the API creates it, with a provisioning token and a webhook
  // secret, and the live check recording each configuration it is asked to check.
  void configure_with_secrets(ProvisioningType type) {
    context_->check_gitlab = [this](const GitlabConfig& c) {
      std::lock_guard lock(mutex_);
      checked_.push_back(c);
      return std::optional<std::string>();
    };
    GitlabConfig c;
    c.enabled = true;
    c.application_id = "app";
    c.url = "https://gitlab.example.com";
    c.secret = "oauth-secret-of-gitlab-example";
    c.provisioning_type = type;
    c.allowed_groups = {"acme"};
    c.provisioning_token = "token-for-gitlab-example";
    c.webhook_secret = "webhook-secret-of-gitlab-example";
    ASSERT_TRUE(store_->save_gitlab_config(c));
  }

  // Whether `user` holds the global `admin` permission, as the store says now.
  Result<bool> is_admin_in_store(const User& user) { return http::is_admin(*store_, user); }

  std::vector<GitlabConfig> checked_;
};

INSTANTIATE_TEST_SUITE_P(Backends, SecurityTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

// ---- 1. Unbounded metrics labels

TEST_P(SecurityTest, UnknownMethodsAre501BeforeRoutingAndNeverBecomeAMetricsSeries) {
  for (int i = 0; i < 40; ++i) {
    HttpClient client(port_);
    client.write_raw("FLOOD" + std::to_string(i) +
                     " /api/system/health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(client.read_response().status, 501) << "method FLOOD" << i;
  }
  // One known request, so that the counter has a series to read (the page counts the requests
  // answered before it).
  ASSERT_EQ(call(As::kAnonymous, "GET", "/api/system/health").status, 200);
  const auto metrics = call(As::kAdmin, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::set<std::string> allowed = {"GET",   "HEAD",   "POST",    "PUT",
                                         "PATCH", "DELETE", "OPTIONS", "OTHER"};
  const std::regex method_label(R"(provisio_http_requests_total\{[^}]*method="([^"]*)\")");
  int series = 0;
  for (std::sregex_iterator it(metrics.body.begin(), metrics.body.end(), method_label), end;
       it != end; ++it) {
    ++series;
    EXPECT_EQ(allowed.count((*it)[1]), 1u) << "a series labelled method=" << (*it)[1];
  }
  EXPECT_GT(series, 0);
  EXPECT_EQ(metrics.body.find("FLOOD"), std::string::npos);
}

// ---- 2. The login limiter as a lockout switch

TEST_P(SecurityTest, WrongPasswordsFromOneAddressDoNotLockTheRightPasswordOutOfAnother) {
  // Someone anywhere guesses the admin's password, past every allowance.
  for (int i = 0; i < 30; ++i) {
    const int status = login_from("127.0.0.3", "admin", "guess-" + std::to_string(i));
    EXPECT_TRUE(status == 401 || status == 429) << status;
  }
  EXPECT_EQ(login_from("127.0.0.3", "admin", std::string(kAdminPassword)), 429)
      << "the guessing address waits, even with the right password";
  // The administrator, from another address, is not locked out (by the form or by Basic).
  EXPECT_EQ(login_from("127.0.0.2", "admin", std::string(kAdminPassword)), 200);
  EXPECT_EQ(from("127.0.0.2", "GET", "/api/user_tokens/search", "",
                 {{"Authorization", "Basic " + base64("admin:" + std::string(kAdminPassword))}})
                .status,
            200);
}

TEST_P(SecurityTest, AGuessingAddressWaitsLongerAfterEachFailure) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login_from("127.0.0.3", "plain", "wrong"), 401);
  auto held = from("127.0.0.3", "POST", "/api/authentication/login", "login=plain&password=wrong",
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(held.status, 429);
  EXPECT_EQ(held.headers["Retry-After"], "1");
  clock_.advance(1000);
  EXPECT_EQ(login_from("127.0.0.3", "plain", "wrong"), 401);
  held = from("127.0.0.3", "POST", "/api/authentication/login", "login=plain&password=wrong",
              {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(held.status, 429);
  EXPECT_EQ(held.headers["Retry-After"], "2");
  clock_.advance(2000);
  EXPECT_EQ(login_from("127.0.0.3", "plain", std::string(kUserPassword)), 200);
}

TEST_P(SecurityTest, AnAccountUnderAttackFromManyAddressesStillLetsItsOwnerIn) {
  // A botnet: one guess each from many addresses, so no address is over its own allowance.
  for (int i = 10; i < 40; ++i) {
    EXPECT_EQ(login_from("127.0.1." + std::to_string(i), "admin", "guess"), 401);
  }
  // Each guessing address must now wait after a single failure on the account...
  EXPECT_EQ(login_from("127.0.1.10", "admin", "guess-again"), 429);
  // ...while the owner, whose address has not failed, gets in.
  EXPECT_EQ(login_from("127.0.0.2", "admin", std::string(kAdminPassword)), 200);
}

TEST_P(SecurityTest, LoginNamesOver255BytesAreRefusedBeforeAnyCheck) {
  const std::string huge(300, 'a');
  const auto form = form_call(As::kAnonymous, "/api/authentication/login",
                              "login=" + huge + "&password=whatever");
  EXPECT_EQ(form.status, 400);
  EXPECT_NE(message(form).find("255"), std::string::npos) << form.body;
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                 {{"Authorization", "Basic " + base64(huge + ":whatever")}})
                .status,
            401);
  EXPECT_EQ(limiter_->size(), 0u) << "no key was kept for either name";
}

TEST_P(SecurityTest, OnlyATrustedProxyMaySayWhichClientItSpeaksFor) {
  http::ServerOptions options;
  options.trusted_proxies = *parse_address_ranges("127.0.0.1");
  restart(options);
  // Behind the proxy, the guesser and the administrator are two clients.
  for (int i = 0; i < 10; ++i) {
    login_from("127.0.0.1", "admin", "guess", {{"X-Forwarded-For", "203.0.113.7"}});
  }
  EXPECT_EQ(login_from("127.0.0.1", "admin", "guess", {{"X-Forwarded-For", "203.0.113.7"}}), 429);
  EXPECT_EQ(login_from("127.0.0.1", "admin", std::string(kAdminPassword),
                       {{"X-Forwarded-For", "198.51.100.2"}}),
            200);
  // A client that is not a listed proxy cannot escape its back-off by naming other addresses.
  for (int i = 0; i < 10; ++i) {
    login_from("127.0.0.3", "plain", "guess",
               {{"X-Forwarded-For", "198.51.100." + std::to_string(i)}});
  }
  EXPECT_EQ(login_from("127.0.0.3", "plain", "guess", {{"X-Forwarded-For", "198.51.100.99"}}), 429);
}

// ---- 3. The provisioning token follows a changed URL

TEST_P(SecurityTest, ChangingTheUrlClearsTheStoredSecretsAndNoneReachesTheNewHost) {
  configure_with_secrets(ProvisioningType::kJit);
  const auto r = json_call(As::kAdmin, "PATCH",
                           "/api/v2/dop-translation/gitlab-configurations/gitlab-configuration",
                           {{"url", "https://attacker.example"}, {"secret", "new-oauth-secret"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["isProvisioningTokenSet"], false);
  {
    std::lock_guard lock(mutex_);
    ASSERT_FALSE(checked_.empty());
    for (const GitlabConfig& c : checked_) {
      EXPECT_EQ(c.url, "https://attacker.example");
      EXPECT_FALSE(c.provisioning_token) << "the old token was handed to the new host's check";
      EXPECT_FALSE(c.webhook_secret);
      EXPECT_EQ(c.secret, "new-oauth-secret");
    }
  }
  auto stored = store_->load_gitlab_config();
  ASSERT_TRUE(stored && *stored);
  EXPECT_FALSE((*stored)->provisioning_token);
  EXPECT_FALSE((*stored)->webhook_secret);
}

TEST_P(SecurityTest, AutomaticProvisioningNeedsTheTokenAgainWithANewUrl) {
  configure_with_secrets(ProvisioningType::kAutoProvisioning);
  const std::string target = "/api/v2/dop-translation/gitlab-configurations/gitlab-configuration";
  const auto refused = json_call(As::kAdmin, "PATCH", target,
                                 {{"url", "https://attacker.example"}, {"secret", "s2"}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(message(refused).find("provisioning token"), std::string::npos) << refused.body;
  EXPECT_EQ((*store_->load_gitlab_config())->provisioning_token, "token-for-gitlab-example");
  const auto accepted = json_call(
      As::kAdmin, "PATCH", target,
      {{"url", "https://gitlab2.example"}, {"secret", "s2"}, {"provisioningToken", "t2"}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  std::lock_guard lock(mutex_);
  for (const GitlabConfig& c : checked_) EXPECT_EQ(c.provisioning_token, "t2");
}

TEST_P(SecurityTest, PlainHttpGitlabUrlsAreRefusedUnlessLoopbackOrAllowedBySetting) {
  const std::string configs = "/api/v2/dop-translation/gitlab-configurations";
  const json body = {{"applicationId", "a"}, {"url", "http://gitlab.example.com"}, {"secret", "s"}};
  const auto refused = json_call(As::kAdmin, "POST", configs, body);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(message(refused).find("https://"), std::string::npos) << refused.body;
  auto loopback = body;
  loopback["url"] = "http://127.0.0.1:8929";
  EXPECT_EQ(json_call(As::kAdmin, "POST", configs, loopback).status, 200);
  ASSERT_TRUE(store_->delete_gitlab_config());
  context_->allow_http_gitlab = true;
  EXPECT_EQ(json_call(As::kAdmin, "POST", configs, body).status, 200);
}

TEST_P(SecurityTest, ATokenWhoseUrlWasChangedInTheDatabaseIsNeverUsed) {
  if (GetParam() != "sqlite") GTEST_SKIP() << "raw SQL on the SQLite file";
  configure_with_secrets(ProvisioningType::kJit);
  // Someone with write access to the database points the configuration elsewhere.
  testing::sqlite_exec(dir_ + "/provisio.db",
                       "UPDATE gitlab_config SET url = 'https://attacker.example'");
  auto stored = store_->load_gitlab_config();
  ASSERT_TRUE(stored && *stored) << (stored ? "" : stored.error().message);
  EXPECT_EQ((*stored)->url, "https://attacker.example");
  EXPECT_FALSE((*stored)->provisioning_token);
  EXPECT_FALSE((*stored)->secret);
  EXPECT_FALSE((*stored)->webhook_secret);
}

// ---- 5. Never without an administrator

TEST_P(SecurityTest, TheLastAdministratorsGrantCannotBeRevoked) {
  const auto r =
      form_call(As::kAdmin, "/api/permissions/remove_user", "login=admin&permission=admin");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message(r).find("no active user holding the global 'admin' permission"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(*is_admin_in_store(admin_), true);
}

TEST_P(SecurityTest, NoPathTakesTheLastAdministratorThroughAGroupAway) {
  // The administrators: the members of a group, after the admin gave up its own grant.
  const Group admins = make_group("administrators");
  ASSERT_TRUE(store_->add_membership(admins.id, user_.id));
  ASSERT_EQ(form_call(As::kAdmin, "/api/permissions/add_group",
                      "groupName=administrators&permission=admin")
                .status,
            204);
  ASSERT_EQ(
      form_call(As::kAdmin, "/api/permissions/remove_user", "login=admin&permission=admin").status,
      204);
  const User other = make_local_user("other", "other-password-1");
  // `plain` is now the only administrator, through the group: each path is refused.
  const std::string groups = "/api/v2/authorizations/groups/";
  EXPECT_EQ(call(As::kUser, "DELETE", groups + admins.uuid).status, 400);
  EXPECT_EQ(form_call(As::kUser, "/api/permissions/remove_group",
                      "groupName=administrators&permission=admin")
                .status,
            400);
  EXPECT_EQ(call(As::kUser, "DELETE",
                 "/api/v2/authorizations/group-memberships/" + admins.uuid + ":" + user_.uuid)
                .status,
            400);
  // With a second member, removing one is fine; deactivating the other then is not.
  ASSERT_TRUE(store_->add_membership(admins.id, other.id));
  EXPECT_EQ(call(As::kUser, "DELETE",
                 "/api/v2/authorizations/group-memberships/" + admins.uuid + ":" + other.uuid)
                .status,
            204);
  ASSERT_TRUE(store_->add_membership(admins.id, other.id));
  const std::string other_token = authenticator_->generate_token(other, "t")->token;
  EXPECT_EQ(HttpClient(port_)
                .request("DELETE", "/api/v2/users-management/users/" + user_.uuid, "",
                         {{"Authorization", "Bearer " + other_token}})
                .status,
            204);
  EXPECT_EQ(
      HttpClient(port_)
          .request("DELETE",
                   "/api/v2/authorizations/group-memberships/" + admins.uuid + ":" + other.uuid, "",
                   {{"Authorization", "Bearer " + other_token}})
          .status,
      400);
  EXPECT_TRUE(*is_admin_in_store(*store_->get_user(other.id)));
}

TEST_P(SecurityTest, GitlabLoginCannotBeTurnedOffWhileOnlyGitlabUsersAdminister) {
  save_config(ProvisioningType::kJit);
  const User gitlab_admin = make_local_user("gitlab-admin", "", /*managed=*/true);
  PermissionGrant grant;
  grant.user_id = gitlab_admin.id;
  grant.permission = "admin";
  ASSERT_TRUE(store_->grant(grant));
  ASSERT_EQ(
      form_call(As::kAdmin, "/api/permissions/remove_user", "login=admin&permission=admin").status,
      204);
  const std::string token = authenticator_->generate_token(gitlab_admin, "t")->token;
  const auto r = HttpClient(port_).request(
      "PATCH", "/api/v2/dop-translation/gitlab-configurations/gitlab-configuration",
      json{{"enabled", false}}.dump(),
      {{"Authorization", "Bearer " + token}, {"Content-Type", "application/merge-patch+json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(message(r).find("local user"), std::string::npos) << r.body;
  EXPECT_TRUE((*store_->load_gitlab_config())->enabled);
}

// Spec section 5: a managed instance changes no password, the built-in admin's included; the way
// back for a lost one is `provisio admin reset-password` on the machine (security_cli_test).
TEST_P(SecurityTest, AManagedInstanceChangesNoPasswordNotEvenTheAdminsOwn) {
  make_managed_instance();
  const auto admin =
      form_call(As::kAdmin, "/api/users/change_password",
                "password=a-new-admin-password&previousPassword=" + std::string(kAdminPassword));
  EXPECT_EQ(admin.status, 400);
  EXPECT_NE(message(admin).find("passwords of local users cannot be changed"), std::string::npos)
      << admin.body;
  EXPECT_EQ(form_call(As::kUser, "/api/users/change_password",
                      "password=a-new-user-password&previousPassword=" + std::string(kUserPassword))
                .status,
            400);
  EXPECT_EQ(login_from("127.0.0.2", "admin", "a-new-admin-password"), 401);
  EXPECT_EQ(login_from("127.0.0.3", "admin", std::string(kAdminPassword)), 200);
}

// ---- 6. Smaller holes

TEST_P(SecurityTest, DeeplyNestedJsonIsRefusedBeforeAnyWalkAndTheServerKeepsServing) {
  const std::string target = "/api/v2/users-management/users/" + user_.uuid;
  // 33 levels, one over the limit, and 10,000 (60 KB, under the test server's 64 KiB body
  // limit), which a recursive walk building a growing prefix does not survive.
  for (const std::size_t depth : {std::size_t{33}, std::size_t{10'000}}) {
    std::string body = R"({"name":)";
    for (std::size_t i = 0; i < depth; ++i) body += R"({"a":)";
    body += "1";
    body += std::string(depth, '}');
    body += "}";
    const auto r =
        call(As::kAdmin, "PATCH", target, body, {{"Content-Type", "application/merge-patch+json"}});
    EXPECT_EQ(r.status, 400) << depth;
    EXPECT_NE(message(r).find("nested"), std::string::npos) << r.body;
  }
  const std::string arrays = std::string(30'000, '[') + std::string(30'000, ']');
  EXPECT_EQ(call(As::kAdmin, "PATCH", target, R"({"name":)" + arrays + "}",
                 {{"Content-Type", "application/merge-patch+json"}})
                .status,
            400);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/system/health").status, 200);
}

TEST_P(SecurityTest, APasswordChangeEndsTheUsersOtherSessions) {
  const auto login = [&] {
    return raw_exchange(port_, form_request("/api/authentication/login",
                                            "login=plain&password=" + std::string(kUserPassword)));
  };
  const std::string first = login();
  const std::string second = login();
  const std::string mine = "PROVISIO_SESSION=" + set_cookie_value(first, "PROVISIO_SESSION");
  const std::string stolen = "PROVISIO_SESSION=" + set_cookie_value(second, "PROVISIO_SESSION");
  const auto changed =
      call(As::kAnonymous, "POST", "/api/users/change_password",
           "password=brand-new-password&previousPassword=" + std::string(kUserPassword),
           {{"Cookie", mine + "; XSRF-TOKEN=" + set_cookie_value(first, "XSRF-TOKEN")},
            {"X-XSRF-TOKEN", set_cookie_value(first, "XSRF-TOKEN")},
            {"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "", {{"Cookie", stolen}}).status,
            401);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "", {{"Cookie", mine}}).status,
            200);
  // An administrator setting someone's password ends all of that user's sessions.
  const std::string third = "PROVISIO_SESSION=" + set_cookie_value(login(), "PROVISIO_SESSION");
  ASSERT_EQ(
      form_call(As::kAdmin, "/api/users/change_password", "login=plain&password=set-by-the-admin")
          .status,
      204);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "", {{"Cookie", third}}).status,
            401);
}

TEST_P(SecurityTest, NonAdministratorsCannotSearchUsersByEmailOrFilterOnHiddenFields) {
  User secret = make_local_user("someone", "someone-password");
  secret.email = "hidden-mailbox@corp.example";
  ASSERT_TRUE(store_->update_user(secret));
  const std::string users = "/api/v2/users-management/users";
  const auto by_user = call(As::kUser, "GET", users + "?q=hidden-mailbox");
  ASSERT_EQ(by_user.status, 200);
  EXPECT_TRUE(json::parse(by_user.body)["users"].empty()) << by_user.body;
  const auto by_admin = call(As::kAdmin, "GET", users + "?q=hidden-mailbox");
  EXPECT_EQ(json::parse(by_admin.body)["users"].size(), 1u);
  // Names and logins stay searchable by everyone.
  EXPECT_EQ(json::parse(call(As::kUser, "GET", users + "?q=someone").body)["users"].size(), 1u);
  EXPECT_EQ(call(As::kUser, "GET", users + "?managed=false").status, 403);
  EXPECT_EQ(call(As::kUser, "GET", users + "?active=false").status, 403);
  EXPECT_EQ(call(As::kAdmin, "GET", users + "?managed=false").status, 200);
}

TEST_P(SecurityTest, LoginAndLogoutRefuseCrossSitePosts) {
  const std::string body = "login=plain&password=" + std::string(kUserPassword);
  const std::string here = "http://127.0.0.1:" + std::to_string(port_);
  const auto with_host = [&](std::map<std::string, std::string> h) {
    h["Host"] = "127.0.0.1:" + std::to_string(port_);
    return h;
  };
  EXPECT_EQ(status_of(raw_exchange(port_, form_request("/api/authentication/login", body,
                                                       {{"Origin", "https://evil.example"}}))),
            403);
  EXPECT_EQ(
      status_of(raw_exchange(port_, form_request("/api/authentication/login", body,
                                                 {{"Referer", "https://evil.example/form.html"}}))),
      403);
  EXPECT_EQ(status_of(raw_exchange(
                port_, form_request("/api/authentication/logout", "", {{"Origin", "null"}}))),
            403);
  // The web admin's own page, and API clients that send no Origin, are served.
  EXPECT_EQ(
      from("127.0.0.1", "POST", "/api/authentication/login", body,
           with_host({{"Origin", here}, {"Content-Type", "application/x-www-form-urlencoded"}}))
          .status,
      200);
  EXPECT_EQ(form_call(As::kAnonymous, "/api/authentication/login", body).status, 200);
}

TEST_P(SecurityTest, CookiesAreSecureAndHostPrefixedWhenTheServerUrlIsHttps) {
  context_->secure_cookies = true;
  const std::string raw =
      raw_exchange(port_, form_request("/api/authentication/login",
                                       "login=plain&password=" + std::string(kUserPassword)));
  ASSERT_EQ(status_of(raw), 200) << raw;
  for (const char* name : {"__Host-PROVISIO_SESSION", "__Host-XSRF-TOKEN"}) {
    const std::string line = set_cookie_line(raw, name);
    ASSERT_FALSE(line.empty()) << name << " in " << raw;
    EXPECT_NE(line.find("; Secure"), std::string::npos) << line;
    EXPECT_NE(line.find("Path=/;"), std::string::npos) << line;
    EXPECT_EQ(line.find("Domain"), std::string::npos) << line;
  }
  EXPECT_EQ(raw.find("Set-Cookie: PROVISIO_SESSION="), std::string::npos);
  const std::string session = set_cookie_value(raw, "__Host-PROVISIO_SESSION");
  EXPECT_EQ(json::parse(call(As::kAnonymous, "GET", "/api/authentication/validate", "",
                             {{"Cookie", "__Host-PROVISIO_SESSION=" + session}})
                            .body)["valid"],
            true);
  // The unprefixed name, which a sibling site could have planted, is not read.
  EXPECT_EQ(json::parse(call(As::kAnonymous, "GET", "/api/authentication/validate", "",
                             {{"Cookie", "PROVISIO_SESSION=" + session}})
                            .body)["valid"],
            false);
}

TEST_P(SecurityTest, CookiesAreSecureWhenATrustedProxyReceivedTheRequestOverTls) {
  http::ServerOptions options;
  options.trusted_proxies = *parse_address_ranges("127.0.0.1");
  restart(options);
  const std::string body = "login=plain&password=" + std::string(kUserPassword);
  const std::string over_tls = raw_exchange(
      port_, form_request("/api/authentication/login", body, {{"X-Forwarded-Proto", "https"}}));
  EXPECT_NE(set_cookie_line(over_tls, "__Host-PROVISIO_SESSION").find("; Secure"),
            std::string::npos)
      << over_tls;
  // From a peer that is not a trusted proxy the header means nothing.
  const std::string spoofed = raw_exchange(
      port_, form_request("/api/authentication/login", body, {{"X-Forwarded-Proto", "https"}}),
      "127.0.0.2");
  EXPECT_NE(spoofed.find("Set-Cookie: PROVISIO_SESSION="), std::string::npos) << spoofed;
}

TEST_P(SecurityTest, GitlabSignInCallbacksAreThrottledPerAddress) {
  // Each callback may cost a token exchange with GitLab: one address gets 30 a minute.
  std::string last;
  for (int i = 0; i < 31; ++i) {
    const auto r = from("127.0.0.3", "GET", "/oauth2/callback/gitlab?code=c&state=s");
    ASSERT_EQ(r.status, 302);
    for (const std::string& line : r.set_cookies) {
      if (line.rfind("provisio_auth_error=", 0) == 0) last = line;
    }
  }
  EXPECT_NE(last.find("Too%20many"), std::string::npos) << last;
  // Another address is not held back.
  const auto other = from("127.0.0.2", "GET", "/oauth2/callback/gitlab?code=c&state=s");
  bool throttled = false;
  for (const std::string& line : other.set_cookies) {
    throttled |= line.find("Too%20many") != std::string::npos;
  }
  EXPECT_FALSE(throttled);
  clock_.advance(60'000);
  const auto later = from("127.0.0.3", "GET", "/oauth2/callback/gitlab?code=c&state=s");
  for (const std::string& line : later.set_cookies) {
    EXPECT_EQ(line.find("Too%20many"), std::string::npos) << "a minute later";
  }
}

TEST_P(SecurityTest, TheWebhookFallsBackToOneFullSyncWhenPendingChangesOverflow) {
  make_managed_instance();
  auto config = *store_->load_gitlab_config();
  config->webhook_secret = "hook-secret";
  ASSERT_TRUE(store_->save_gitlab_config(*config));
  finish_pending_tasks();
  const std::size_t limit = sync::SyncOptions{}.max_event_scope;
  for (std::size_t i = 0; i <= limit; ++i) {
    const auto r = call(
        As::kAnonymous, "POST", "/api/v2/provisioning/gitlab-events",
        json{{"event_name", "user_add_to_group"}, {"group_id", 100'000 + i}, {"user_id", 9}}.dump(),
        {{"Content-Type", "application/json"},
         {"X-Gitlab-Event", "System Hook"},
         {"X-Gitlab-Token", "hook-secret"}});
    ASSERT_EQ(r.status, 202) << i << ": " << r.body;
  }
  store::TaskQuery pending;
  pending.statuses = {TaskStatus::kPending};
  const auto tasks = store_->list_tasks(pending);
  ASSERT_TRUE(tasks);
  int full = 0;
  for (const Task& t : tasks->items) {
    if (t.type == TaskType::kGitlabAuthProvisioning) ++full;
    if (t.type == TaskType::kGitlabEventProvisioning && t.scope) {
      EXPECT_LE(t.scope->groups.size() + t.scope->projects.size() + t.scope->users.size(), limit);
    }
  }
  EXPECT_EQ(full, 1) << "one full synchronization instead of an ever-growing scope";
}

}  // namespace provisio::api_test
