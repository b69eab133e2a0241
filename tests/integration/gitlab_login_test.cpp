// "Log in with GitLab" end to end (issue 7): the built `provisio` and `gitlab-sim` binaries over
// loopback, driven by a cookie-keeping client that follows redirects, as a browser would. Each
// test starts both servers on world S and stops them.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "browser.hpp"
#include "child_process.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

namespace provisio::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kProvisio = PROVISIO_BINARY;
const std::string kSim = GITLAB_SIM_BINARY;
const std::string kAdminPassword = "login-Test-admin-pw1";
constexpr std::string_view kErrorCookie = "provisio_auth_error";

std::string base64(const std::string& in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kTable[(n >> s) & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kTable[(n >> 18) & 63];
    out += kTable[(n >> 12) & 63];
    out += i + 1 < in.size() ? kTable[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string percent_decode(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

// The value of query parameter `name` in a URL (still encoded).
std::string query_value(const std::string& url, const std::string& name) {
  const auto at = url.find(name + "=");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 1;
  const auto end = url.find('&', start);
  return url.substr(start, end == std::string::npos ? end : end - start);
}

class GitlabLoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string world = dir_.str() + "/world.json";
    const auto generated = run_command(kSim, {"generate", "--preset", "S", "--output", world}, {},
                                       dir_.str() + "/g.err");
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    sim_ = std::make_unique<ChildProcess>(
        kSim, std::vector<std::string>{"serve", "--world", world, "--port", "0"}, EnvChanges{},
        dir_.str() + "/sim.err");
    const auto line = sim_->read_line(30s);
    ASSERT_TRUE(line) << read_file(dir_.str() + "/sim.err");
    sim_url_ = line->substr(line->find("http://"));
    sim_port_ = parse_loopback_url(sim_url_).port;

    provisio_ = std::make_unique<ChildProcess>(
        kProvisio,
        std::vector<std::string>{"serve", "--port", "0", "--bind", "127.0.0.1", "--data-dir",
                                 dir_.str() + "/data"},
        EnvChanges{{"PROVISIO_ADMIN_PASSWORD", kAdminPassword}}, dir_.str() + "/provisio.err");
    const std::string announce = "Provisio is listening on http://127.0.0.1:";
    while (auto out = provisio_->read_line(60s)) {
      if (out->rfind(announce, 0) == 0) {
        port_ = static_cast<std::uint16_t>(std::stoi(out->substr(announce.size())));
        break;
      }
    }
    ASSERT_NE(port_, 0) << read_file(dir_.str() + "/provisio.err");
    browser_.home_port = port_;
  }

  void TearDown() override {
    for (auto* child : {provisio_.get(), sim_.get()}) {
      if (child == nullptr) continue;
      child->send_signal(SIGTERM);
      child->wait(20s);
    }
  }

  // ---- Provisio's API as the administrator
  ClientResponse api(const std::string& method, const std::string& path, const json& body = {},
                     const std::string& type = "application/json") {
    HttpClient client(port_);
    std::map<std::string, std::string> headers{
        {"Authorization", "Basic " + base64("admin:" + kAdminPassword)}};
    std::string text;
    if (!body.is_null()) {
      headers["Content-Type"] = type;
      text = body.dump();
    }
    return client.request(method, path, text, headers);
  }
  // A v1 call: form-encoded fields (values percent-encoded here).
  ClientResponse api_form(const std::string& path,
                          const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string text;
    for (const auto& [name, value] : fields) {
      text += (text.empty() ? "" : "&") + name + "=";
      for (const unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
          text += static_cast<char>(c);
        } else {
          static constexpr char kHex[] = "0123456789ABCDEF";
          text += {'%', kHex[c >> 4], kHex[c & 15]};
        }
      }
    }
    HttpClient client(port_);
    return client.request("POST", path, text,
                          {{"Authorization", "Basic " + base64("admin:" + kAdminPassword)},
                           {"Content-Type", "application/x-www-form-urlencoded"}});
  }
  json api_json(const std::string& path) {
    const auto r = api("GET", path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body);
  }

  void configure(const json& fields) {
    json body = {{"enabled", true},
                 {"applicationId", "sim-client-id"},
                 {"url", sim_url_},
                 {"secret", "sim-client-secret"},
                 {"synchronizeGroups", true},
                 {"provisioningType", "JIT"},
                 {"allowUsersToSignUp", true},
                 {"allowedGroups", json::array()}};
    if (fields.is_object()) body.update(fields);
    const auto existing = api("GET", "/api/v2/dop-translation/gitlab-configurations");
    const bool exists = !json::parse(existing.body)["gitlabConfigurations"].empty();
    const auto r =
        exists ? api("PATCH", "/api/v2/dop-translation/gitlab-configurations/gitlab-configuration",
                     body, "application/merge-patch+json")
               : api("POST", "/api/v2/dop-translation/gitlab-configurations", body);
    ASSERT_LT(r.status, 300) << r.body;
  }

  std::string create_group(const std::string& name) {
    const auto r = api("POST", "/api/v2/authorizations/groups", {{"name", name}});
    EXPECT_EQ(r.status, 200) << name << ": " << r.body;
    return json::parse(r.body).value("id", "");
  }

  // The Provisio user whose GitLab login is `username`, or null.
  json user_by_gitlab_login(const std::string& username) {
    const json page = api_json("/api/v2/users-management/users?pageSize=500");
    for (const json& u : page["users"]) {
      if (u["externalLogin"] == username) return u;
    }
    return nullptr;
  }

  std::set<std::string> groups_of(const std::string& user_uuid) {
    std::set<std::string> names;
    const json ms =
        api_json("/api/v2/authorizations/group-memberships?userId=" + user_uuid + "&pageSize=500");
    const json groups = api_json("/api/v2/authorizations/groups?pageSize=500");
    for (const json& m : ms["groupMemberships"]) {
      for (const json& g : groups["groups"]) {
        if (g["id"] == m["groupId"]) names.insert(g["name"].get<std::string>());
      }
    }
    return names;
  }

  // ---- the simulator
  json control(const std::string& path, const json& body) {
    HttpClient client(sim_port_);
    json with_hooks = body;
    with_hooks["hooks"] = json::array();  // no events: this issue is about the login
    const auto r = client.request("POST", "/__control/" + path, with_hooks.dump(),
                                  {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  json gitlab(const std::string& path, const std::string& sudo = "") {
    HttpClient client(sim_port_);
    std::map<std::string, std::string> headers{
        {"PRIVATE-TOKEN", sudo.empty() ? "sim-admin-token" : "sim-admin-sudo-token"}};
    if (!sudo.empty()) headers["Sudo"] = sudo;
    const auto r = client.request("GET", "/api/v4" + path, "", headers);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return json::parse(r.body);
  }
  json counters() {
    HttpClient client(sim_port_);
    return json::parse(client.request("GET", "/__control/counters").body);
  }
  void reset_counters() {
    HttpClient client(sim_port_);
    client.request("POST", "/__control/counters/reset", "{}",
                   {{"Content-Type", "application/json"}});
  }

  // An active, non-bot GitLab user who is a member of no group: each test gives them the
  // groups it needs.
  json groupless_user() {
    for (int id = 4; id < 60; ++id) {
      const json u = gitlab("/users/" + std::to_string(id));
      if (u["state"] != "active" || u.value("bot", false)) continue;
      if (gitlab("/groups?min_access_level=10", std::to_string(id)).empty()) return u;
    }
    ADD_FAILURE() << "world S has no groupless user among the first ids";
    return nullptr;
  }
  // A subgroup of `root` that has subgroups of its own, and one of those.
  std::pair<std::string, std::string> group_with_child(const std::string& root) {
    for (const json& g : gitlab("/groups/" + root + "/subgroups?per_page=100")) {
      const json children =
          gitlab("/groups/" + std::to_string(g["id"].get<long>()) + "/subgroups?per_page=100");
      if (!children.empty()) {
        return {g["full_path"].get<std::string>(), children[0]["full_path"].get<std::string>()};
      }
    }
    ADD_FAILURE() << root << " has no subgroup with subgroups";
    return {};
  }
  std::string leaf_subgroup(const std::string& root) {
    for (const json& g : gitlab("/groups/" + root + "/subgroups?per_page=100")) {
      if (gitlab("/groups/" + std::to_string(g["id"].get<long>()) + "/subgroups").empty()) {
        return g["full_path"].get<std::string>();
      }
    }
    ADD_FAILURE() << root << " has no leaf subgroup";
    return {};
  }
  std::string parent_id(const std::string& full_path) {
    std::string encoded;
    for (char c : full_path) encoded += c == '/' ? std::string("%2F") : std::string(1, c);
    return std::to_string(gitlab("/groups/" + encoded)["id"].get<long>());
  }
  void sign_in_at_gitlab_as(const std::string& username, const json& consent = json::object()) {
    json body = consent;
    body["username"] = username;
    control("oauth/user", body);
  }
  void add_member(const std::string& group, const json& user, int level = 30) {
    control("members",
            {{"source", "group"}, {"id", group}, {"user_id", user["id"]}, {"access_level", level}});
  }
  void remove_member(const std::string& group, const json& user) {
    control("members/remove", {{"source", "group"}, {"id", group}, {"user_id", user["id"]}});
  }

  // ---- the login itself
  // "Log in with GitLab" from the login page; the final answer after every redirect.
  ClientResponse log_in(const std::string& return_to = "/projects") {
    return browser_.navigate("/sessions/init/gitlab?return_to=" + return_to);
  }
  bool logged_in() {
    const auto session = browser_.cookie(port_, "PROVISIO_SESSION");
    if (!session) return false;
    HttpClient client(port_);
    const auto r = client.request("GET", "/api/users/current", "",
                                  {{"Cookie", "PROVISIO_SESSION=" + *session}});
    return json::parse(r.body).value("isLoggedIn", false);
  }
  // The message the login page would show, from the error cookie.
  std::string login_error() {
    const auto c = browser_.cookie(port_, std::string(kErrorCookie));
    return c ? percent_decode(*c) : std::string();
  }
  std::string landed_on() const { return browser_.visited.back(); }
  std::string home(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  TempDir dir_;
  std::unique_ptr<ChildProcess> sim_;
  std::unique_ptr<ChildProcess> provisio_;
  std::string sim_url_;
  std::uint16_t sim_port_ = 0;
  std::uint16_t port_ = 0;
  Browser browser_;
};

TEST_F(GitlabLoginTest, TheLoginPageOffersGitlabOnlyWhenEnabled) {
  EXPECT_TRUE(
      json::parse(browser_.get("/api/v2/authentication/providers").body)["providers"].empty());
  configure({});
  const json providers = json::parse(browser_.get("/api/v2/authentication/providers").body);
  ASSERT_EQ(providers["providers"].size(), 1u);
  EXPECT_EQ(providers["providers"][0]["loginUrl"], "/sessions/init/gitlab");
}

TEST_F(GitlabLoginTest, TheRedirectToGitlabCarriesStatePkceAndTheScope) {
  configure({{"synchronizeGroups", false}});
  auto r = browser_.get("/sessions/init/gitlab");
  ASSERT_EQ(r.status, 302);
  std::string to = r.headers["Location"];
  EXPECT_EQ(to.rfind(sim_url_ + "/oauth/authorize?", 0), 0u) << to;
  EXPECT_EQ(query_value(to, "client_id"), "sim-client-id");
  EXPECT_EQ(percent_decode(query_value(to, "redirect_uri")), home("/oauth2/callback/gitlab"));
  EXPECT_EQ(query_value(to, "response_type"), "code");
  EXPECT_EQ(query_value(to, "scope"), "read_user");
  EXPECT_EQ(query_value(to, "code_challenge_method"), "S256");
  EXPECT_EQ(query_value(to, "code_challenge").size(), 43u);
  EXPECT_GE(query_value(to, "state").size(), 32u);
  const auto cookie = std::find_if(r.set_cookies.begin(), r.set_cookies.end(),
                                   [](auto& c) { return c.rfind("provisio_oauth=", 0) == 0; });
  ASSERT_NE(cookie, r.set_cookies.end());
  EXPECT_NE(cookie->find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie->find("Path=/oauth2/callback/gitlab"), std::string::npos);
  // The cookie is sealed: the state it keeps (with the PKCE verifier) cannot be read in it.
  EXPECT_EQ(cookie->find(query_value(to, "state")), std::string::npos);

  configure({{"synchronizeGroups", true}});
  to = browser_.get("/sessions/init/gitlab").headers["Location"];
  EXPECT_EQ(query_value(to, "scope"), "read_api");
}

// Least privilege (behaviour.md §4): `read_api` only when the login must read the user's groups,
// `read_user` otherwise; never the write scope `api`.
TEST_F(GitlabLoginTest, TheLoginAsksForTheLeastScopeEachConfigurationNeeds) {
  struct Case {
    json fields;
    std::string scope;
  };
  const auto automatic = [](bool sync_groups) {
    return json{{"provisioningType", "AUTO_PROVISIONING"},
                {"provisioningToken", "sim-admin-token"},
                {"allowedGroups", {"acme"}},
                {"synchronizeGroups", sync_groups}};
  };
  const std::vector<Case> cases = {
      {{{"synchronizeGroups", false}, {"allowedGroups", json::array()}}, "read_user"},
      {{{"synchronizeGroups", true}, {"allowedGroups", json::array()}}, "read_api"},
      {{{"synchronizeGroups", false}, {"allowedGroups", {"acme"}}}, "read_api"},
      {{{"synchronizeGroups", true}, {"allowedGroups", {"acme"}}}, "read_api"},
      {automatic(false), "read_user"},
      {automatic(true), "read_api"},
  };
  for (const Case& c : cases) {
    configure(c.fields);
    browser_.clear_cookies();
    const std::string to = browser_.get("/sessions/init/gitlab").headers["Location"];
    EXPECT_EQ(query_value(to, "scope"), c.scope) << c.fields.dump();
  }
}

TEST_F(GitlabLoginTest, JitFirstLoginCreatesTheUserAndItsGroupsFollowGitlab) {
  const json user = groupless_user();
  const auto [parent, child] = group_with_child("acme");
  const std::string other = leaf_subgroup("umbrella");
  add_member(parent, user);
  for (const std::string& name :
       {std::string("acme"), parent, child, other, std::string("team-x")}) {
    create_group(name);
  }
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  reset_counters();

  const auto r = log_in("/projects?page=2");
  EXPECT_EQ(landed_on(), home("/projects?page=2"));
  EXPECT_TRUE(logged_in()) << login_error();
  json created = user_by_gitlab_login(user["username"]);
  ASSERT_FALSE(created.is_null());
  EXPECT_EQ(created["name"], user["name"]);
  EXPECT_EQ(created["externalId"], std::to_string(user["id"].get<long>()));
  EXPECT_EQ(created["managed"], false);
  EXPECT_EQ(created["local"], false);
  // Member of `parent` in GitLab: `parent` and its subgroup here, not the root, not the others.
  EXPECT_EQ(groups_of(created["id"]), (std::set<std::string>{"sonar-users", parent, child}));
  // One token exchange, /user, and one page of groups: 1 + ceil(groups / 100) API requests.
  const json c = counters();
  EXPECT_EQ(c["endpoints"].value("POST /oauth/token", 0), 1) << c.dump();
  EXPECT_EQ(c["endpoints"].value("GET /api/v4/user", 0), 1) << c.dump();
  EXPECT_EQ(c["endpoints"].value("GET /api/v4/groups", 0), 1) << c.dump();

  // GitLab moves the user from `parent` to `other`; an administrator adds them to team-x here.
  remove_member(parent, user);
  add_member(other, user);
  const json team_x = api_json("/api/v2/authorizations/groups?q=team-x")["groups"][0];
  ASSERT_EQ(api("POST", "/api/v2/authorizations/group-memberships",
                {{"groupId", team_x["id"]}, {"userId", created["id"]}})
                .status,
            200);
  browser_.clear_cookies();
  log_in();
  EXPECT_TRUE(logged_in()) << login_error();
  EXPECT_EQ(groups_of(created["id"]), (std::set<std::string>{"sonar-users", other}));
  // Still one account.
  EXPECT_EQ(user_by_gitlab_login(user["username"])["id"], created["id"]);
}

TEST_F(GitlabLoginTest, JitWithoutSignUpRefusesUnknownUsersAndCreatesNothing) {
  const json user = groupless_user();
  configure({{"allowUsersToSignUp", false}});
  sign_in_at_gitlab_as(user["username"]);
  log_in();
  EXPECT_EQ(landed_on(), home("/login"));
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("signing up with GitLab is not allowed"), std::string::npos)
      << login_error();
  EXPECT_TRUE(user_by_gitlab_login(user["username"]).is_null());
}

TEST_F(GitlabLoginTest, TheAllowlistRefusesUsersOutsideTheAllowedGroupsEvenWithoutGroupSync) {
  const json user = groupless_user();
  add_member(leaf_subgroup("umbrella"), user);
  configure({{"synchronizeGroups", false}, {"allowedGroups", {"acme"}}});
  sign_in_at_gitlab_as(user["username"]);
  const auto to = browser_.get("/sessions/init/gitlab").headers["Location"];
  EXPECT_EQ(query_value(to, "scope"), "read_api") << "the allowlist needs the user's groups";
  browser_.clear_cookies();
  log_in();
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("not a member of any GitLab group allowed"), std::string::npos)
      << login_error();
  EXPECT_TRUE(user_by_gitlab_login(user["username"]).is_null());

  configure({{"allowedGroups", {"acme", "umbrella"}}});
  browser_.clear_cookies();
  log_in();
  EXPECT_TRUE(logged_in()) << login_error();
}

TEST_F(GitlabLoginTest, AnEmailHeldByAnotherAccountRefusesTheLoginWithoutNamingIt) {
  const json user = groupless_user();
  const std::string email = gitlab("/users/" + std::to_string(user["id"].get<long>()))["email"];
  ASSERT_EQ(api("POST", "/api/v2/users-management/users",
                {{"login", "local-holder"},
                 {"name", "Local Holder"},
                 {"email", email},
                 {"password", "a-long-enough-pw-1"}})
                .status,
            200);
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  log_in();
  EXPECT_FALSE(logged_in());
  const std::string message = login_error();
  EXPECT_NE(message.find("already used by another account"), std::string::npos) << message;
  EXPECT_EQ(message.find("local-holder"), std::string::npos) << message;
  EXPECT_EQ(message.find("Local Holder"), std::string::npos) << message;
  EXPECT_TRUE(user_by_gitlab_login(user["username"]).is_null());
}

TEST_F(GitlabLoginTest, ATamperedStateOrAForeignBrowserIsRefused) {
  const json user = groupless_user();
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  // Walk to GitLab and back, but stop before the callback.
  const auto to_gitlab = browser_.get("/sessions/init/gitlab");
  const auto back = browser_.get(to_gitlab.headers.at("Location"));
  std::string callback = back.headers.at("Location");
  const std::string state = query_value(callback, "state");
  std::string tampered = callback;
  tampered.replace(tampered.find(state), state.size(), std::string(state.size(), 'a'));
  browser_.navigate(tampered);
  EXPECT_EQ(landed_on(), home("/login"));
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("no longer valid"), std::string::npos) << login_error();

  // The genuine callback in another browser (no flow cookie): refused as well.
  Browser other;
  other.home_port = port_;
  other.navigate(callback);
  EXPECT_EQ(other.visited.back(), home("/login"));
  EXPECT_FALSE(other.cookie(port_, "PROVISIO_SESSION"));
  EXPECT_TRUE(user_by_gitlab_login(user["username"]).is_null());
}

TEST_F(GitlabLoginTest, ACodeIssuedForAnotherPkceChallengeIsRefused) {
  const json user = groupless_user();
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  // The victim's flow, stopped before GitLab: its state and its verifier (in its cookie).
  const std::string victim_to_gitlab = browser_.get("/sessions/init/gitlab").headers.at("Location");
  const std::string victim_state = query_value(victim_to_gitlab, "state");
  // The attacker's own flow, with the victim's state put in: GitLab issues a code bound to the
  // attacker's challenge, and the victim's browser is made to deliver it.
  Browser attacker;
  attacker.home_port = port_;
  std::string forged = attacker.get("/sessions/init/gitlab").headers.at("Location");
  const std::string attacker_state = query_value(forged, "state");
  forged.replace(forged.find(attacker_state), attacker_state.size(), victim_state);
  const std::string callback = attacker.get(forged).headers.at("Location");
  ASSERT_NE(callback.find("code="), std::string::npos) << callback;
  browser_.navigate(callback);
  EXPECT_EQ(landed_on(), home("/login"));
  EXPECT_FALSE(logged_in());
  EXPECT_TRUE(user_by_gitlab_login(user["username"]).is_null());
}

TEST_F(GitlabLoginTest, AReplayedCallbackIsRefused) {
  const json user = groupless_user();
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  log_in();
  ASSERT_TRUE(logged_in()) << login_error();
  const std::string callback = browser_.visited.at(browser_.visited.size() - 2);
  ASSERT_NE(callback.find("/oauth2/callback/gitlab?code="), std::string::npos) << callback;

  // Same browser: its flow cookie was used up.
  browser_.clear_cookies();
  browser_.navigate(callback);
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("no longer valid"), std::string::npos) << login_error();

  // A fresh flow cookie does not help: its state is not the replayed one; and even with the
  // state forced to match, GitLab refuses a code used once.
  browser_.clear_cookies();
  const auto fresh = browser_.get("/sessions/init/gitlab");
  const std::string state = query_value(fresh.headers.at("Location"), "state");
  std::string replay = callback;
  const std::string old_state = query_value(callback, "state");
  replay.replace(replay.find(old_state), old_state.size(), state);
  browser_.navigate(replay);
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("GitLab did not confirm your sign-in"), std::string::npos)
      << login_error();
}

TEST_F(GitlabLoginTest, AFlowCompletesOnceEvenWithItsCookieAndAFreshCode) {
  // Issue 21: someone who kept a browser's flow cookie (from its disk, a shared machine) asks
  // GitLab for a fresh code for the same state and challenge, then replays the callback. The
  // cookie still opens and the state still matches it: only the server's own record of the state,
  // deleted at the first callback, refuses the second.
  const json user = groupless_user();
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  const auto to_gitlab = browser_.get("/sessions/init/gitlab");
  const std::string authorize = to_gitlab.headers.at("Location");
  const auto flow_cookie = browser_.cookie(port_, "provisio_oauth");
  ASSERT_TRUE(flow_cookie);
  const std::string first = browser_.get(authorize).headers.at("Location");
  browser_.navigate(first);
  ASSERT_TRUE(logged_in()) << login_error();

  Browser attacker;
  attacker.home_port = port_;
  const std::string second = attacker.get(authorize).headers.at("Location");
  ASSERT_NE(second.find("code="), std::string::npos) << second;
  ASSERT_NE(query_value(second, "code"), query_value(first, "code"));
  attacker.set_cookie(port_, "provisio_oauth", *flow_cookie);
  attacker.navigate(second);
  EXPECT_EQ(attacker.visited.back(), home("/login"));
  EXPECT_FALSE(attacker.cookie(port_, "PROVISIO_SESSION")) << "a second session from one flow";
}

TEST_F(GitlabLoginTest, ADeactivatedUserCannotLogInAgain) {
  const json user = groupless_user();
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  log_in();
  ASSERT_TRUE(logged_in()) << login_error();
  const json created = user_by_gitlab_login(user["username"]);
  ASSERT_EQ(
      api("DELETE", "/api/v2/users-management/users/" + created["id"].get<std::string>()).status,
      204);
  EXPECT_FALSE(logged_in()) << "deactivation ends the session";
  browser_.clear_cookies();
  log_in();
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("deactivated"), std::string::npos) << login_error();
  EXPECT_EQ(user_by_gitlab_login(user["username"])["active"], false);
}

TEST_F(GitlabLoginTest, DeniedConsentAndAMissingScopeEndOnTheLoginPage) {
  const json user = groupless_user();
  configure({});
  sign_in_at_gitlab_as(user["username"], {{"deny", true}});
  log_in();
  EXPECT_EQ(landed_on(), home("/login"));
  EXPECT_NE(login_error().find("did not allow"), std::string::npos) << login_error();

  // Approved, but without `read_api`: GitLab refuses the token for the groups, so nobody is
  // created.
  sign_in_at_gitlab_as(user["username"], {{"granted_scopes", {"read_user"}}});
  browser_.clear_cookies();
  log_in();
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("did not let this server read your GitLab groups"),
            std::string::npos)
      << login_error();
  EXPECT_TRUE(user_by_gitlab_login(user["username"]).is_null());
}

TEST_F(GitlabLoginTest, GitlabDownEndsOnTheLoginPageWithNothingMade) {
  const json user = groupless_user();
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  control("faults", {{"fail_paths", {"/api/v4/user"}}});
  log_in();
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("cannot be reached"), std::string::npos) << login_error();
  EXPECT_TRUE(user_by_gitlab_login(user["username"]).is_null());
}

TEST_F(GitlabLoginTest, ReturnToNeverLeavesTheServer) {
  const json user = groupless_user();
  configure({});
  sign_in_at_gitlab_as(user["username"]);
  for (const std::string target : {"//evil.example/x", "https://evil.example", "/%5Cevil"}) {
    browser_.clear_cookies();
    browser_.navigate("/sessions/init/gitlab?return_to=" + target);
    EXPECT_TRUE(logged_in()) << login_error();
    EXPECT_EQ(landed_on(), home("/")) << target;
  }
}

TEST_F(GitlabLoginTest, AutomaticModeLetsOnlyProvisionedUsersInAndRefreshesTheirGroups) {
  const json user = groupless_user();
  const auto [parent, child] = group_with_child("acme");
  const std::string other = leaf_subgroup("umbrella");
  add_member(parent, user);
  configure({{"provisioningType", "AUTO_PROVISIONING"},
             {"provisioningToken", "sim-admin-token"},
             {"allowedGroups", {"acme", "umbrella"}}});
  // Enabling automatic provisioning queued the first sync; wait for it.
  std::string status;
  for (int i = 0; i < 240 && status != "SUCCESS" && status != "FAILED"; ++i) {
    std::this_thread::sleep_for(500ms);
    const json tasks = api_json("/api/ce/activity?type=GITLAB_AUTH_PROVISIONING");
    if (!tasks["tasks"].empty()) status = tasks["tasks"][0]["status"];
  }
  ASSERT_EQ(status, "SUCCESS");
  const json provisioned = user_by_gitlab_login(user["username"]);
  ASSERT_FALSE(provisioned.is_null());
  std::set<std::string> tree{"sonar-users", parent};
  for (const json& g : gitlab("/groups/" + parent_id(parent) + "/descendant_groups?per_page=100")) {
    tree.insert(g["full_path"].get<std::string>());
  }
  EXPECT_TRUE(tree.count(child));
  EXPECT_EQ(groups_of(provisioned["id"]), tree);

  // root is in no group and no project: never provisioned, so refused.
  ASSERT_TRUE(user_by_gitlab_login("root").is_null());
  sign_in_at_gitlab_as("root");
  log_in();
  EXPECT_FALSE(logged_in());
  EXPECT_NE(login_error().find("not provisioned"), std::string::npos) << login_error();
  EXPECT_TRUE(user_by_gitlab_login("root").is_null());

  // A provisioned user comes in, and the login refreshes their managed groups.
  remove_member(parent, user);
  add_member(other, user);
  sign_in_at_gitlab_as(user["username"]);
  browser_.clear_cookies();
  log_in();
  EXPECT_TRUE(logged_in()) << login_error();
  EXPECT_EQ(groups_of(provisioned["id"]), (std::set<std::string>{"sonar-users", other}));
}

// The escalation of issue 19: with group sync on and no allowlist, anyone could create a GitLab
// root group named like a local group that holds Administer System, and join it by logging in.
TEST_F(GitlabLoginTest, JitGroupSyncNeverJoinsAGroupHoldingGlobalAdministrationByName) {
  const json attacker = groupless_user();
  create_group("sonar-administrators");
  ASSERT_EQ(api_form("/api/permissions/add_group",
                     {{"groupName", "sonar-administrators"}, {"permission", "admin"}})
                .status,
            204);
  // A GitLab group of the attacker's own, moved to the top and named like the local one.
  const std::string leaf = leaf_subgroup("outside");
  const std::string id = parent_id(leaf);
  control("groups/move", {{"id", std::stol(id)}, {"parent_id", nullptr}});
  control(
      "groups/rename",
      {{"id", std::stol(id)}, {"path", "sonar-administrators"}, {"name", "sonar-administrators"}});
  add_member("sonar-administrators", attacker, 50);
  configure({{"synchronizeGroups", true}, {"allowedGroups", json::array()}});
  sign_in_at_gitlab_as(attacker["username"]);

  log_in();
  EXPECT_TRUE(logged_in()) << login_error();
  const json made = user_by_gitlab_login(attacker["username"]);
  ASSERT_FALSE(made.is_null());
  EXPECT_EQ(groups_of(made["id"]).count("sonar-administrators"), 0U);
  const json admins = api_json("/api/permissions/users?permission=admin");
  for (const json& u : admins["users"]) EXPECT_NE(u["login"], made["login"]);
  // The refusal is audited, with its reason.
  const json refused =
      api_json("/api/v2/provisioning/audit?entityType=membership&entity=" +
               std::string("sonar-administrators%2F") + made["login"].get<std::string>());
  ASSERT_EQ(refused["entries"].size(), 1U) << refused.dump();
  EXPECT_EQ(refused["entries"][0]["action"], "membership.add.refused");
  EXPECT_NE(refused["entries"][0]["cause"].get<std::string>().find("administrative permission"),
            std::string::npos);
}

TEST_F(GitlabLoginTest, JitGroupSyncWithAnAllowlistIgnoresGroupsOutsideItAndMatchesExactCase) {
  const json user = groupless_user();
  const std::string inside = leaf_subgroup("acme");
  add_member(inside, user);
  // Outside the allowlist, a root group named like a local group.
  const std::string leaf = leaf_subgroup("outside");
  const std::string id = parent_id(leaf);
  control("groups/move", {{"id", std::stol(id)}, {"parent_id", nullptr}});
  control("groups/rename", {{"id", std::stol(id)}, {"path", "local-team"}, {"name", "local-team"}});
  add_member("local-team", user, 50);
  create_group("local-team");
  create_group(inside);
  std::string shouting = inside;
  for (char& c : shouting) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  create_group(shouting);
  configure({{"synchronizeGroups", true}, {"allowedGroups", {"acme"}}});
  sign_in_at_gitlab_as(user["username"]);

  log_in();
  EXPECT_TRUE(logged_in()) << login_error();
  const json made = user_by_gitlab_login(user["username"]);
  ASSERT_FALSE(made.is_null());
  EXPECT_EQ(groups_of(made["id"]), (std::set<std::string>{"sonar-users", inside}))
      << "not local-team (outside acme), not " << shouting << " (another name)";
  const json refused = api_json("/api/v2/provisioning/audit?entityType=membership&entity=" +
                                std::string("local-team%2F") + made["login"].get<std::string>());
  ASSERT_EQ(refused["entries"].size(), 1U) << refused.dump();
  EXPECT_NE(refused["entries"][0]["cause"].get<std::string>().find("outside the allowed groups"),
            std::string::npos);
}

TEST_F(GitlabLoginTest, JitGroupSyncJoinsAPrivilegedGroupOnlyWhenTheOperatorListsIt) {
  const json user = groupless_user();
  const std::string inside = leaf_subgroup("acme");
  add_member(inside, user);
  create_group(inside);
  ASSERT_EQ(
      api_form("/api/permissions/add_group", {{"groupName", inside}, {"permission", "gateadmin"}})
          .status,
      204);
  configure({{"synchronizeGroups", true}, {"allowedGroups", {"acme"}}});
  sign_in_at_gitlab_as(user["username"]);
  log_in();
  EXPECT_TRUE(logged_in()) << login_error();
  const json made = user_by_gitlab_login(user["username"]);
  ASSERT_FALSE(made.is_null());
  EXPECT_EQ(groups_of(made["id"]), (std::set<std::string>{"sonar-users"}));

  configure({{"jitPrivilegedGroups", {inside}}});
  EXPECT_EQ(api_json("/api/v2/dop-translation/gitlab-configurations/gitlab-configuration")
                ["jitPrivilegedGroups"],
            json({inside}));
  browser_.clear_cookies();
  log_in();
  EXPECT_TRUE(logged_in()) << login_error();
  EXPECT_EQ(groups_of(made["id"]), (std::set<std::string>{"sonar-users", inside}));
}

TEST_F(GitlabLoginTest, ABotOrServiceAccountCannotSignIn) {
  std::vector<std::string> bots;
  for (int page = 1; page <= 5; ++page) {
    for (const json& u : gitlab("/users?per_page=100&page=" + std::to_string(page))) {
      if (u.value("bot", false)) bots.push_back(u["username"]);
    }
  }
  ASSERT_GE(bots.size(), 2U);
  configure({{"synchronizeGroups", false}});
  for (const std::string& bot : bots) {
    sign_in_at_gitlab_as(bot);
    browser_.clear_cookies();
    log_in();
    EXPECT_FALSE(logged_in()) << bot;
    EXPECT_NE(login_error().find("GitLab bots (access-token users and service accounts) are not "
                                 "provisioned"),
              std::string::npos)
        << bot << ": " << login_error();
    EXPECT_TRUE(user_by_gitlab_login(bot).is_null()) << bot;
  }
}

}  // namespace
}  // namespace provisio::testing
