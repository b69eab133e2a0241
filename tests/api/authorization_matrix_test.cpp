// Every route of the table, called as anonymous, as a plain user and as an administrator: 401,
// 403 or success exactly as written by hand below (kExpectedAccess), never as the route table
// says: a route declared with the wrong access fails here, so a change of access is a change of
// two files. A route without an entry here fails, and so does an entry without a route.
#include <functional>
#include <map>
#include <set>

#include "api_fixture.hpp"

namespace provisio::api_test {
namespace {

struct Sample {
  std::string target;
  std::string body;
  std::string content_type;  // empty: none
  bool redirect = false;     // a browser route: answers 302 to everyone
  std::map<std::string, std::string> headers = {};
};

Sample get(std::string target) { return {std::move(target), "", ""}; }
Sample form(std::string target, std::string body) {
  return {std::move(target), std::move(body), "application/x-www-form-urlencoded"};
}
Sample json_body(std::string target, const json& body) {
  return {std::move(target), body.dump(), "application/json"};
}

enum class Expect { kAnyone, kUser, kAdmin };
constexpr Expect kAnyone = Expect::kAnyone;  // anonymous callers too
constexpr Expect kUser = Expect::kUser;      // any authenticated user: 401 for anonymous
constexpr Expect kAdmin = Expect::kAdmin;    // global `admin`: 401 anonymous, 403 plain user

// Who may call each route (api.md), written out here and nowhere else in the tests.
const std::map<std::string, Expect> kExpectedAccess = {
    {"POST /api/authentication/login", kAnyone},
    {"POST /api/authentication/logout", kAnyone},
    {"GET /api/authentication/validate", kAnyone},
    {"GET /api/users/current", kAnyone},
    {"GET /api/v2/authentication/providers", kAnyone},
    {"GET /sessions/init/gitlab", kAnyone},
    {"GET /oauth2/callback/gitlab", kAnyone},
    {"POST /api/users/change_password", kUser},
    {"POST /api/user_tokens/generate", kUser},
    {"POST /api/user_tokens/revoke", kUser},
    {"GET /api/user_tokens/search", kUser},
    {"POST /api/projects/create", kAdmin},
    {"GET /api/projects/search", kAdmin},
    {"POST /api/projects/delete", kAdmin},
    {"POST /api/projects/update_visibility", kAdmin},
    {"POST /api/alm_settings/set_gitlab_binding", kAdmin},
    {"POST /api/permissions/add_user", kAdmin},
    {"POST /api/permissions/remove_user", kAdmin},
    {"POST /api/permissions/add_group", kAdmin},
    {"POST /api/permissions/remove_group", kAdmin},
    {"GET /api/permissions/users", kAdmin},
    {"GET /api/permissions/groups", kAdmin},
    {"GET /api/ce/activity", kAdmin},
    {"GET /api/ce/task", kAdmin},
    {"GET /api/system/health", kAnyone},
    {"GET /api/system/status", kAnyone},
    {"GET /api/v2/dop-translation/gitlab-configurations", kAdmin},
    {"POST /api/v2/dop-translation/gitlab-configurations", kAdmin},
    {"GET /api/v2/dop-translation/gitlab-configurations/{id}", kAdmin},
    {"PATCH /api/v2/dop-translation/gitlab-configurations/{id}", kAdmin},
    {"DELETE /api/v2/dop-translation/gitlab-configurations/{id}", kAdmin},
    {"GET /api/v2/dop-translation/gitlab-permission-mappings", kAdmin},
    {"POST /api/v2/dop-translation/gitlab-permission-mappings", kAdmin},
    {"PATCH /api/v2/dop-translation/gitlab-permission-mappings/{role}", kAdmin},
    {"DELETE /api/v2/dop-translation/gitlab-permission-mappings/{role}", kAdmin},
    {"POST /api/v2/dop-translation/gitlab-synchronization-runs", kAdmin},
    {"GET /api/v2/provisioning/plan", kAdmin},
    {"GET /api/v2/provisioning/plan/{taskId}", kAdmin},
    {"POST /api/v2/provisioning/plan/{taskId}/confirm", kAdmin},
    {"GET /api/v2/users-management/users", kUser},
    {"POST /api/v2/users-management/users", kAdmin},
    {"GET /api/v2/users-management/users/{id}", kUser},
    {"PATCH /api/v2/users-management/users/{id}", kAdmin},
    {"DELETE /api/v2/users-management/users/{id}", kAdmin},
    {"GET /api/v2/authorizations/groups", kUser},
    {"POST /api/v2/authorizations/groups", kAdmin},
    {"GET /api/v2/authorizations/groups/{id}", kUser},
    {"PATCH /api/v2/authorizations/groups/{id}", kAdmin},
    {"DELETE /api/v2/authorizations/groups/{id}", kAdmin},
    {"GET /api/v2/authorizations/group-memberships", kUser},
    {"POST /api/v2/authorizations/group-memberships", kAdmin},
    {"DELETE /api/v2/authorizations/group-memberships/{id}", kAdmin},
    {"GET /api/v2/provisioning/audit", kAdmin},
    {"GET /api/v2/provisioning/explain", kAdmin},
    // GitLab calls it, authenticated by the webhook secret in X-Gitlab-Token, not by a user.
    {"POST /api/v2/provisioning/gitlab-events", kAnyone},
    {"GET /api/v2/provisioning/status", kAdmin},
    // Admin unless the server runs with PROVISIO_METRICS_PUBLIC=true (not here).
    {"GET /metrics", kAdmin},
    {"GET /api/v2/openapi.json", kAnyone},
};

}  // namespace

TEST_P(ApiTest, EveryRouteAnswersAnonymousUserAndAdminAsItsAccessRuleSays) {
  int n = 0;
  const auto unique = [&](const std::string& prefix) { return prefix + std::to_string(++n); };
  const auto self = [&](As who) { return who == As::kAdmin ? admin_ : user_; };
  const std::string users = "/api/v2/users-management/users";
  const std::string groups = "/api/v2/authorizations/groups";
  const std::string memberships = "/api/v2/authorizations/group-memberships";
  const std::string configs = "/api/v2/dop-translation/gitlab-configurations";
  const std::string mappings = "/api/v2/dop-translation/gitlab-permission-mappings";
  const auto with_webhook_secret = [&] {
    make_managed_instance();
    auto c = store_->load_gitlab_config();
    ASSERT_TRUE(c && *c);
    (*c)->webhook_secret = "hook-secret";
    ASSERT_TRUE(store_->save_gitlab_config(**c));
  };

  // A well-formed call of each route, with whatever it needs created first.
  std::map<std::string, std::function<Sample(As)>> samples = {
      {"POST /api/authentication/login",
       [&](As) {
         return form("/api/authentication/login",
                     "login=plain&password=" + std::string(kUserPassword));
       }},
      {"POST /api/authentication/logout",
       [&](As) { return form("/api/authentication/logout", ""); }},
      {"GET /api/authentication/validate", [&](As) { return get("/api/authentication/validate"); }},
      {"GET /api/users/current", [&](As) { return get("/api/users/current"); }},
      {"GET /api/v2/authentication/providers",
       [&](As) { return get("/api/v2/authentication/providers"); }},
      // Without a GitLab configuration both end on the login page with the reason.
      {"GET /sessions/init/gitlab",
       [&](As) {
         return Sample{"/sessions/init/gitlab?return_to=/x", "", "", true};
       }},
      {"GET /oauth2/callback/gitlab",
       [&](As) {
         return Sample{"/oauth2/callback/gitlab?code=c&state=s", "", "", true};
       }},
      {"POST /api/users/change_password",
       [&](As who) {
         const std::string password(who == As::kAdmin ? kAdminPassword : kUserPassword);
         return form("/api/users/change_password",
                     "password=" + password + "&previousPassword=" + password);
       }},
      {"POST /api/user_tokens/generate",
       [&](As) { return form("/api/user_tokens/generate", "name=" + unique("token-")); }},
      {"POST /api/user_tokens/revoke",
       [&](As who) {
         const std::string name = unique("revoked-");
         EXPECT_TRUE(authenticator_->generate_token(self(who), name));
         return form("/api/user_tokens/revoke", "name=" + name);
       }},
      {"GET /api/user_tokens/search", [&](As) { return get("/api/user_tokens/search"); }},
      {"POST /api/projects/create",
       [&](As) { return form("/api/projects/create", "project=" + unique("key-") + "&name=P"); }},
      {"GET /api/projects/search", [&](As) { return get("/api/projects/search?q=key"); }},
      {"POST /api/projects/delete",
       [&](As) {
         return form("/api/projects/delete", "project=" + make_project(unique("del-")).key);
       }},
      {"POST /api/projects/update_visibility",
       [&](As) {
         return form("/api/projects/update_visibility",
                     "project=" + make_project(unique("vis-")).key + "&visibility=private");
       }},
      {"POST /api/alm_settings/set_gitlab_binding",
       [&](As) {
         return form("/api/alm_settings/set_gitlab_binding",
                     "project=" + make_project(unique("bind-")).key + "&repository=42");
       }},
      {"POST /api/permissions/add_user",
       [&](As) { return form("/api/permissions/add_user", "login=plain&permission=scan"); }},
      {"POST /api/permissions/remove_user",
       [&](As) { return form("/api/permissions/remove_user", "login=plain&permission=scan"); }},
      {"POST /api/permissions/add_group",
       [&](As) {
         return form("/api/permissions/add_group", "groupName=sonar-users&permission=scan");
       }},
      {"POST /api/permissions/remove_group",
       [&](As) {
         return form("/api/permissions/remove_group", "groupName=sonar-users&permission=scan");
       }},
      {"GET /api/permissions/users", [&](As) { return get("/api/permissions/users"); }},
      {"GET /api/permissions/groups", [&](As) { return get("/api/permissions/groups"); }},
      {"GET /api/ce/activity", [&](As) { return get("/api/ce/activity?status=PENDING,SUCCESS"); }},
      {"GET /api/ce/task",
       [&](As) {
         Task t;
         t.submitter = "test";
         t.submitted_at = clock_.now();
         return get("/api/ce/task?id=" + std::to_string(store_->enqueue_task(t, false)->id));
       }},
      {"GET /api/system/health", [&](As) { return get("/api/system/health"); }},
      {"GET /api/system/status", [&](As) { return get("/api/system/status"); }},
      {"GET " + configs, [&](As) { return get(configs); }},
      {"POST " + configs,
       [&](As) {
         make_unmanaged_instance();
         return json_body(
             configs,
             {{"applicationId", "a"}, {"url", "https://gitlab.example.com"}, {"secret", "s"}});
       }},
      {"GET " + configs + "/{id}",
       [&](As) {
         save_config(ProvisioningType::kJit);
         return get(configs + "/gitlab-configuration");
       }},
      {"PATCH " + configs + "/{id}",
       [&](As) {
         save_config(ProvisioningType::kJit);
         return json_body(configs + "/gitlab-configuration", {{"synchronizeGroups", true}});
       }},
      {"DELETE " + configs + "/{id}",
       [&](As) {
         save_config(ProvisioningType::kJit, false);
         return get(configs + "/gitlab-configuration");
       }},
      {"GET " + mappings, [&](As) { return get(mappings); }},
      {"POST " + mappings,
       [&](As) {
         return json_body(mappings,
                          {{"role", unique("custom-")}, {"permissions", {{"user", true}}}});
       }},
      {"PATCH " + mappings + "/{role}",
       [&](As) {
         return json_body(mappings + "/guest", {{"permissions", {{"user", true}}}});
       }},
      {"DELETE " + mappings + "/{role}",
       [&](As) {
         const std::string role = unique("gone-");
         EXPECT_TRUE(store_->save_role_mapping(RoleMapping{role, {true}}));
         return get(mappings + "/" + role);
       }},
      {"POST /api/v2/dop-translation/gitlab-synchronization-runs",
       [&](As) {
         make_managed_instance();
         finish_pending_tasks();
         return json_body("/api/v2/dop-translation/gitlab-synchronization-runs", json::object());
       }},
      {"GET /api/v2/provisioning/plan",
       [&](As) {
         make_managed_instance();
         return get("/api/v2/provisioning/plan?pageSize=10");
       }},
      // GitLab, not a user, calls it: the secret in X-Gitlab-Token authenticates it, whoever else
      // the caller is.
      {"POST /api/v2/provisioning/gitlab-events",
       [&](As) {
         with_webhook_secret();
         Sample s =
             json_body("/api/v2/provisioning/gitlab-events",
                       {{"event_name", "user_add_to_group"}, {"group_id", 7}, {"user_id", 9}});
         s.headers = {{"X-Gitlab-Event", "System Hook"}, {"X-Gitlab-Token", "hook-secret"}};
         return s;
       }},
      {"GET /api/v2/provisioning/plan/{taskId}",
       [&](As) {
         Task t;
         t.submitter = "scheduler";
         const auto held = store_->enqueue_task(t, false);
         finish_pending_tasks();
         EXPECT_TRUE(store_->save_held_plan(held->id, ChangeSet{}));
         return get("/api/v2/provisioning/plan/" + std::to_string(held->id));
       }},
      {"POST /api/v2/provisioning/plan/{taskId}/confirm",
       [&](As) {
         // A task whose plan the guard held back (an empty plan: nothing to write).
         Task t;
         t.submitter = "scheduler";
         const auto held = store_->enqueue_task(t, false);
         finish_pending_tasks();
         EXPECT_TRUE(store_->save_held_plan(held->id, ChangeSet{}));
         return json_body("/api/v2/provisioning/plan/" + std::to_string(held->id) + "/confirm",
                          json::object());
       }},
      // Only an administrator may filter on `active` (a hidden field for others).
      {"GET " + users,
       [&](As who) { return get(users + (who == As::kAdmin ? "?q=a&active=true" : "?q=a")); }},
      {"POST " + users,
       [&](As) {
         make_unmanaged_instance();
         return json_body(
             users,
             {{"login", unique("new-")}, {"name", "New"}, {"password", "long-enough-password"}});
       }},
      {"GET " + users + "/{id}", [&](As) { return get(users + "/" + user_.uuid); }},
      {"PATCH " + users + "/{id}",
       [&](As) {
         return json_body(users + "/" + make_local_user(unique("p-"), "x").uuid,
                          {{"name", "Renamed"}});
       }},
      {"DELETE " + users + "/{id}",
       [&](As) { return get(users + "/" + make_local_user(unique("d-"), "x").uuid); }},
      {"GET " + groups, [&](As) { return get(groups + "?managed=false"); }},
      {"POST " + groups,
       [&](As) {
         return json_body(groups, {{"name", unique("g-")}});
       }},
      {"GET " + groups + "/{id}",
       [&](As) { return get(groups + "/" + make_group(unique("r-")).uuid); }},
      {"PATCH " + groups + "/{id}",
       [&](As) {
         return json_body(groups + "/" + make_group(unique("pg-")).uuid, {{"description", "d"}});
       }},
      {"DELETE " + groups + "/{id}",
       [&](As) { return get(groups + "/" + make_group(unique("dg-")).uuid); }},
      {"GET " + memberships, [&](As) { return get(memberships + "?userId=" + user_.uuid); }},
      {"POST " + memberships,
       [&](As) {
         return json_body(memberships,
                          {{"groupId", make_group(unique("m-")).uuid}, {"userId", user_.uuid}});
       }},
      {"DELETE " + memberships + "/{id}",
       [&](As) {
         const Group g = make_group(unique("dm-"));
         EXPECT_TRUE(store_->add_membership(g.id, user_.id));
         return get(memberships + "/" + g.uuid + ":" + user_.uuid);
       }},
      {"GET /api/v2/provisioning/audit", [&](As) { return get("/api/v2/provisioning/audit"); }},
      // A local user on an unbound project: explained without reading GitLab.
      {"GET /api/v2/provisioning/explain",
       [&](As) {
         return get("/api/v2/provisioning/explain?login=plain&projectKey=" +
                    make_project(unique("explain-")).key);
       }},
      {"GET /api/v2/provisioning/status", [&](As) { return get("/api/v2/provisioning/status"); }},
      {"GET /metrics", [&](As) { return get("/metrics"); }},
      {"GET /api/v2/openapi.json", [&](As) { return get("/api/v2/openapi.json"); }},
  };

  const auto routes = http::api_routes(*context_);
  std::set<std::string> routed;
  for (const http::ApiRoute& route : routes) {
    const std::string key = route.method + " " + route.pattern;
    routed.insert(key);
    const auto sample = samples.find(key);
    ASSERT_NE(sample, samples.end()) << "the route " << key << " has no entry in the matrix";
    const auto expected = kExpectedAccess.find(key);
    ASSERT_NE(expected, kExpectedAccess.end())
        << "the route " << key << " has no expected access in kExpectedAccess";
    for (As who : {As::kAnonymous, As::kUser, As::kAdmin}) {
      const Sample s = sample->second(who);
      std::map<std::string, std::string> headers = s.headers;
      if (!s.content_type.empty()) headers["Content-Type"] = s.content_type;
      const auto r = call(who, route.method, s.target, s.body, headers);
      const char* name = who == As::kAdmin ? "admin" : who == As::kUser ? "user" : "anonymous";
      if (who == As::kAnonymous && expected->second != kAnyone) {
        EXPECT_EQ(r.status, 401) << key << " as " << name << ": " << r.body;
      } else if (who == As::kUser && expected->second == kAdmin) {
        EXPECT_EQ(r.status, 403) << key << " as " << name << ": " << r.body;
      } else if (s.redirect) {
        EXPECT_EQ(r.status, 302) << key << " as " << name << ": " << r.body;
      } else {
        EXPECT_TRUE(r.status >= 200 && r.status < 300)
            << key << " as " << name << ": " << r.status << " " << r.body;
      }
    }
    samples.erase(sample);
  }
  for (const auto& [key, unused] : samples)
    ADD_FAILURE() << key << " is in the matrix but not routed";
  for (const auto& [key, unused] : kExpectedAccess) {
    if (routed.count(key) == 0) ADD_FAILURE() << key << " has an expected access but no route";
  }
}

}  // namespace provisio::api_test
