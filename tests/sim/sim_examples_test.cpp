// The simulator answers in the shapes of shared/gitlab-api/examples/: the same keys with the
// same JSON types (null matching anything, as GitLab's nullable fields do). The example files
// are read at run time; a missing folder fails the tests.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "generator.hpp"
#include "hooks.hpp"
#include "sim_test_support.hpp"

namespace provisio::sim {
namespace {

using nlohmann::json;
using testing::Answer;
using testing::call;
using testing::get;

json example(const std::string& name) {
  const std::string path = std::string(SIM_EXAMPLES_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing example " + path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

std::string type_of(const json& v) {
  if (v.is_number()) return "number";
  return v.type_name();
}

struct Allowances {
  std::set<std::string> extra;    // keys the simulator may add (documented in README.md)
  std::set<std::string> missing;  // keys of the example the simulator leaves out
};

// Compares shapes; failures name the JSON path.
void same_shape(const json& want, const json& got, const std::string& where,
                const Allowances& allow) {
  if (want.is_null() || got.is_null()) return;
  ASSERT_EQ(type_of(want), type_of(got)) << where;
  if (want.is_object()) {
    for (const auto& [key, value] : want.items()) {
      if (allow.missing.count(key)) continue;
      ASSERT_TRUE(got.contains(key)) << where << "." << key << " is missing";
      same_shape(value, got[key], where + "." + key, allow);
    }
    for (const auto& [key, value] : got.items()) {
      EXPECT_TRUE(want.contains(key) || allow.extra.count(key))
          << where << "." << key << " is not in the example";
    }
  } else if (want.is_array() && !want.empty()) {
    for (std::size_t i = 0; i < got.size(); ++i) {
      same_shape(want[0], got[i], where + "[" + std::to_string(i) + "]", allow);
    }
  }
}

class Examples : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(std::filesystem::is_directory(SIM_EXAMPLES_DIR))
        << "the examples folder " << SIM_EXAMPLES_DIR << " is missing";
    // World S, plus what the examples need to be non-empty: a group custom role, a project of
    // acme shared with umbrella, umbrella invited into acme.
    json doc = json::parse(write_world(*generate_world(*preset("S"))));
    doc["custom_roles"].push_back({{"id", 2},
                                   {"name", "Guest + read code"},
                                   {"description", "Custom guest that can read code"},
                                   {"group_id", 1},
                                   {"base_access_level", 10},
                                   {"permissions", doc["custom_roles"][0]["permissions"]}});
    doc["projects"].push_back({{"id", 1000}, {"path", "shared-app"}, {"namespace_id", 2}});
    doc["projects"].push_back({{"id", 1001}, {"path", "acme-app"}, {"namespace_id", 1}});
    doc["project_shares"].push_back(
        {{"project_id", 1000}, {"group_id", 1}, {"group_access_level", 30}});
    doc["group_shares"].push_back(
        {{"shared_group_id", 1}, {"invited_group_id", 2}, {"group_access_level", 20}});
    auto world = parse_world(doc.dump());
    ASSERT_TRUE(world) << world.error().message;
    sim_ = new Simulator(std::move(*world), testing::fixed_clock());
    router_ = new http::Router(sim_->router());
  }
  static void TearDownTestSuite() {
    delete router_;
    delete sim_;
  }
  static void check(const std::string& file, const Answer& a, const Allowances& allow = {}) {
    ASSERT_LT(a.status, 300) << file << ": " << a.raw;
    const json want = example(file);
    SCOPED_TRACE(file);
    same_shape(want, a.body, "$", allow);
  }
  static void exact(const std::string& file, const Answer& a, int status) {
    EXPECT_EQ(a.status, status) << file;
    EXPECT_EQ(a.body, example(file)) << file;
  }
  static inline Simulator* sim_ = nullptr;
  static inline http::Router* router_ = nullptr;
};

TEST_F(Examples, Users) {
  check("user.json", get(*router_, "/api/v4/user", "sim-owner-token"));
  check("users_id.json", get(*router_, "/api/v4/users/2", "sim-owner-token"));
  check("users_id_admin.json", get(*router_, "/api/v4/users/2", "sim-admin-token"), {{"bot"}});
  check("users_list.json", get(*router_, "/api/v4/users?username=root", "sim-owner-token"));
}

TEST_F(Examples, Groups) {
  const auto group = get(*router_, "/api/v4/groups/1", "sim-admin-token");
  ASSERT_FALSE(group.body["projects"].empty());
  ASSERT_FALSE(group.body["shared_projects"].empty());
  ASSERT_FALSE(group.body["shared_with_groups"].empty());
  // The doc's shared_projects rows lack request_access_enabled, which its projects rows have.
  check("groups_id.json", group, {{"request_access_enabled"}});
  // The doc sample for with_projects=false is abbreviated: GitLab keeps the other keys.
  check("groups_id_with_projects_false.json",
        get(*router_, "/api/v4/groups/1?with_projects=false", "sim-admin-token"),
        {{"runners_token", "enabled_git_access_protocol", "created_at", "shared_with_groups",
          "prevent_sharing_groups_outside_hierarchy", "ip_restriction_ranges",
          "math_rendering_limits_enabled", "lock_math_rendering_limits_enabled"}});
  const auto subgroups = get(*router_, "/api/v4/groups/1/subgroups", "sim-admin-token");
  ASSERT_FALSE(subgroups.body.empty());
  check("groups_id_subgroups.json", subgroups);
  const auto descendants = get(*router_, "/api/v4/groups/1/descendant_groups", "sim-owner-token");
  ASSERT_FALSE(descendants.body.empty());
  check("groups_id_descendant_groups.json", descendants);
  const auto projects = get(*router_, "/api/v4/groups/1/projects", "sim-owner-token");
  ASSERT_FALSE(projects.body.empty());
  check("groups_id_projects.json", projects, {{"container_registry_enabled"}});
  check("groups_id_member_roles.json",
        get(*router_, "/api/v4/groups/1/member_roles", "sim-owner-token"));
  check("member_roles.json", get(*router_, "/api/v4/member_roles", "sim-admin-token"));
}

TEST_F(Examples, Members) {
  const Allowances member{{"email", "member_role"}, {}};
  for (const auto& [file, path] : std::vector<std::pair<std::string, std::string>>{
           {"groups_id_members.json", "/api/v4/groups/1/members"},
           {"groups_id_members_all.json", "/api/v4/groups/1/members/all"},
           {"projects_id_members_all.json", "/api/v4/projects/1000/members/all"},
           {"groups_id_members_all_user_id.json", "/api/v4/groups/1/members/all/2"}}) {
    const auto a = get(*router_, path, "sim-admin-token");
    ASSERT_FALSE(a.body.empty()) << path;
    check(file, a, member);
  }
  // A project with direct members.
  std::string with_members;
  sim_->read_world([&](const World& w) {
    for (const auto& [id, p] : w.projects()) {
      if (with_members.empty() && !w.members(SourceKind::kProject, id).empty()) {
        with_members = std::to_string(id);
      }
    }
  });
  check("projects_id_members.json",
        get(*router_, "/api/v4/projects/" + with_members + "/members", "sim-admin-token"), member);
  exact("groups_id_member_state_success.json",
        call(*router_, "PUT", "/api/v4/groups/1/members/2/state?state=active", "sim-owner-token"),
        200);
  // Same shape; the parameter named differs from the doc's "title".
  const auto missing = call(*router_, "PUT", "/api/v4/groups/1/members/2/state", "sim-owner-token");
  EXPECT_EQ(missing.status, 400);
  same_shape(example("error_400_missing_attribute.json"), missing.body, "$", {});
  EXPECT_EQ(missing.body["message"], "400 (Bad request) \"state\" not given");
}

TEST_F(Examples, Projects) {
  const auto p =
      get(*router_, "/api/v4/projects/1000?license=true&statistics=true", "sim-admin-token");
  ASSERT_FALSE(p.body["shared_with_groups"].empty());
  // `owner` is for personal projects; every simulated project lives in a group. The contract
  // lists namespace.parent_id, which the doc sample lacks.
  check("projects_id.json", p, {{"expires_at", "parent_id"}, {"owner"}});
}

TEST_F(Examples, TokensAndErrors) {
  check("personal_access_tokens_self.json",
        get(*router_, "/api/v4/personal_access_tokens/self", "sim-owner-token"));
  const auto assoc =
      get(*router_, "/api/v4/personal_access_tokens/self/associations", "sim-owner-token");
  ASSERT_FALSE(assoc.body["groups"].empty());
  check("personal_access_tokens_self_associations.json", assoc);
  exact("error_401_unauthorized.json", get(*router_, "/api/v4/user"), 401);
  exact("error_403_insufficient_scope.json",
        call(*router_, "GET", "/api/v4/user", "sim-admin-token", {{"Sudo", "2"}}), 403);
  exact("error_403_sudo_not_admin.json",
        call(*router_, "GET", "/api/v4/user", "sim-owner-token", {{"Sudo", "1"}}), 403);
  exact("error_405_offset_limit.json",
        get(*router_, "/api/v4/groups?page=501&per_page=100", "sim-admin-token"), 405);
  exact("graphql_error_invalid_token.json",
        call(*router_, "POST", "/api/graphql", "no-such-token", {}, "{}"), 401);
}

TEST_F(Examples, OAuth) {
  const std::string verifier = "a-verifier-of-at-least-forty-three-characters-0123456789";
  const std::string redirect = "http://127.0.0.1:9000/oauth2/callback/gitlab";
  const auto authorize =
      get(*router_, "/oauth/authorize?client_id=sim-client-id&redirect_uri=" + redirect +
                        "&response_type=code&state=xyz&scope=openid%20read_api"
                        "&code_challenge=" +
                        pkce_s256(verifier) + "&code_challenge_method=S256");
  ASSERT_EQ(authorize.status, 302) << authorize.raw;
  const std::string location = authorize.header("location");
  ASSERT_EQ(location.rfind(redirect + "?code=", 0), 0u) << location;
  EXPECT_NE(location.find("&state=xyz"), std::string::npos);
  const std::string code =
      location.substr(location.find("code=") + 5, location.find('&') - location.find("code=") - 5);
  const std::string form =
      "grant_type=authorization_code&client_id=sim-client-id"
      "&client_secret=sim-client-secret&code=" +
      code + "&redirect_uri=" + redirect + "&code_verifier=" + verifier;
  const auto token = call(*router_, "POST", "/oauth/token", "", {}, form);
  check("oauth_token.json", token, {{"scope"}});
  const std::string access = token.body["access_token"];
  check("oauth_token_info.json",
        call(*router_, "GET", "/oauth/token/info", "", {{"Authorization", "Bearer " + access}}));
  const auto userinfo =
      call(*router_, "GET", "/oauth/userinfo", "", {{"Authorization", "Bearer " + access}});
  EXPECT_EQ(userinfo.body["preferred_username"], "provisioner");
  EXPECT_EQ(call(*router_, "GET", "/api/v4/user", "", {{"Authorization", "Bearer " + access}})
                .body["username"],
            "provisioner");
  const auto refreshed = call(*router_, "POST", "/oauth/token", "", {},
                              "grant_type=refresh_token&client_id=sim-client-id&client_secret="
                              "sim-client-secret&refresh_token=" +
                                  token.body["refresh_token"].get<std::string>());
  check("oauth_token_refresh.json", refreshed, {{"scope"}});
  // The old access token is revoked by the refresh.
  EXPECT_EQ(
      call(*router_, "GET", "/api/v4/user", "", {{"Authorization", "Bearer " + access}}).status,
      401);
  // Replaying the code, or a wrong verifier, is refused.
  EXPECT_EQ(call(*router_, "POST", "/oauth/token", "", {}, form).body["error"], "invalid_grant");
}

TEST_F(Examples, HookPayloads) {
  const User user{41, "johnsmith", "John Smith", "active", false, false, "js@example.com", "", ""};
  Group group{78, "StoreCloud", "storecloud", std::nullopt, "private",
              "", "",           "storecloud", "StoreCloud"};
  Group sub{10, "subgroup1", "subgroup1", 78, "private", "", "", "storecloud/subgroup1", ""};
  const std::int64_t now = testing::kNow;
  std::vector<std::pair<std::string, HookEvent>> events;
  for (const char* e : {"user_add_to_group", "user_remove_from_group", "user_update_for_group"}) {
    events.emplace_back(std::string("system_hook_") + e + ".json",
                        system_group_member_hook(e, group, user, kMaintainer, now));
  }
  for (const char* e : {"user_add_to_group", "user_remove_from_group", "user_update_for_group",
                        "user_access_request_to_group", "user_access_request_denied_for_group"}) {
    events.emplace_back(std::string("group_webhook_member_") + e + ".json",
                        group_member_webhook(e, group, user, kGuest, "2020-12-14", now));
  }
  for (const char* e : {"group_create", "group_destroy"}) {
    events.emplace_back(std::string("system_hook_") + e + ".json",
                        system_group_hook(e, group, now));
  }
  events.emplace_back("system_hook_group_rename.json",
                      system_group_hook("group_rename", group, now, std::pair{"old", "old"}));
  for (const char* e : {"subgroup_create", "subgroup_destroy"}) {
    events.emplace_back(std::string("group_webhook_") + e + ".json",
                        subgroup_webhook(e, sub, group, now));
  }
  for (const char* e : {"user_create", "user_destroy", "user_failed_login"}) {
    events.emplace_back(std::string("system_hook_") + e + ".json", system_user_hook(e, user, now));
  }
  events.emplace_back("system_hook_user_rename.json",
                      system_user_hook("user_rename", user, now, "old-name"));
  sim_->read_world([&](const World& w) {
    const Project& p = w.projects().begin()->second;
    for (const char* e : {"user_add_to_team", "user_remove_from_team", "user_update_for_team"}) {
      events.emplace_back(std::string("system_hook_") + e + ".json",
                          system_project_member_hook(e, p, user, kDeveloper, now));
    }
    for (const char* e : {"project_create", "project_destroy", "project_update"}) {
      events.emplace_back(std::string("system_hook_") + e + ".json",
                          system_project_hook(e, w, p, now));
      if (std::string(e) != "project_update") {
        events.emplace_back(std::string("group_webhook_") + e + ".json",
                            project_webhook(e, w, p, now));
      }
    }
    for (const char* e : {"project_rename", "project_transfer"}) {
      events.emplace_back(std::string("system_hook_") + e + ".json",
                          system_project_hook(e, w, p, now, "old/path"));
    }
  });
  std::set<std::string> covered;
  for (const auto& [file, event] : events) {
    SCOPED_TRACE(file);
    covered.insert(file);
    const json want = example(file);
    same_shape(want, json::parse(event.payload.dump()), "$", {});
    EXPECT_EQ(event.payload["event_name"], want["event_name"]);
  }
  // Every hook example is covered.
  for (const auto& entry : std::filesystem::directory_iterator(SIM_EXAMPLES_DIR)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("system_hook_", 0) == 0 || name.rfind("group_webhook_", 0) == 0) {
      EXPECT_TRUE(covered.count(name)) << name;
    }
  }
}

}  // namespace
}  // namespace provisio::sim
