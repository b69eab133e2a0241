#include "app/export_json.hpp"

#include <gtest/gtest.h>

namespace provisio::app {
namespace {

User user(UserId id, std::string login) {
  User u;
  u.id = id;
  u.login = login;
  u.name = "Name " + login;
  return u;
}

Group group(GroupId id, std::string name) {
  Group g;
  g.id = id;
  g.name = std::move(name);
  return g;
}

TEST(ExportJson, EmptyStateHasEveryArray) {
  const auto j = export_json({});
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dump(),
            R"({"users":[],"groups":[],"memberships":[],"projects":[],"permissions":[]})");
}

TEST(ExportJson, MapsEveryFieldWithDocumentedNames) {
  AuthorizationState s;
  User u = user(1, "alice");
  u.email = "alice@example.com";
  u.local = false;
  u.managed = true;
  u.external_provider = ExternalProvider::kGitlab;
  u.external_id = "42";
  u.external_login = "alice.gl";
  s.users.push_back(u);
  Group g = group(7, "acme/dev");
  g.description = "Developers";
  g.managed = true;
  g.external_id = "99";
  s.groups.push_back(g);
  Project p;
  p.id = 3;
  p.key = "acme_app";
  p.name = "App";
  p.visibility = Visibility::kPrivate;
  p.gitlab_project_id = 1234;
  s.projects.push_back(p);

  const auto j = export_json(s);
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["users"][0].dump(),
            R"({"login":"alice","name":"Name alice","email":"alice@example.com","active":true,)"
            R"("local":false,"managed":true,"externalProvider":"gitlab","externalId":"42",)"
            R"("externalLogin":"alice.gl"})");
  EXPECT_EQ((*j)["groups"][0].dump(),
            R"({"name":"acme/dev","description":"Developers","managed":true,"default":false,)"
            R"("externalId":"99"})");
  EXPECT_EQ((*j)["projects"][0].dump(),
            R"({"key":"acme_app","name":"App","visibility":"private","gitlabProjectId":1234,)"
            R"("managed":true})");
}

TEST(ExportJson, AbsentOptionalsAreNull) {
  AuthorizationState s;
  s.users.push_back(user(1, "admin"));
  Project p;
  p.id = 1;
  p.key = "k";
  s.projects.push_back(p);
  const auto j = export_json(s);
  ASSERT_TRUE(j);
  EXPECT_TRUE((*j)["users"][0]["email"].is_null());
  EXPECT_TRUE((*j)["users"][0]["externalId"].is_null());
  EXPECT_TRUE((*j)["projects"][0]["gitlabProjectId"].is_null());
  EXPECT_EQ((*j)["projects"][0]["managed"], false);
}

TEST(ExportJson, SortsEveryArray) {
  AuthorizationState s;
  s.users = {user(1, "zoe"), user(2, "adam"), user(3, "mia")};
  s.groups = {group(10, "sonar-users"), group(11, "acme"), group(12, "acme/dev")};
  s.memberships = {{10, 1}, {10, 2}, {11, 3}, {11, 1}, {12, 2}};
  Project p1;
  p1.id = 100;
  p1.key = "zeta";
  Project p2;
  p2.id = 101;
  p2.key = "alpha";
  s.projects = {p1, p2};
  s.permissions = {
      PermissionGrant{100, 1, std::nullopt, "user"},
      PermissionGrant{std::nullopt, 1, std::nullopt, "admin"},
      PermissionGrant{101, std::nullopt, 11, "codeviewer"},
      PermissionGrant{101, 2, std::nullopt, "user"},
      PermissionGrant{101, 2, std::nullopt, "admin"},
      PermissionGrant{std::nullopt, std::nullopt, 10, "scan"},
  };
  const auto j = export_json(s);
  ASSERT_TRUE(j) << j.error().message;

  EXPECT_EQ((*j)["users"][0]["login"], "adam");
  EXPECT_EQ((*j)["users"][1]["login"], "mia");
  EXPECT_EQ((*j)["users"][2]["login"], "zoe");
  EXPECT_EQ((*j)["groups"][0]["name"], "acme");
  EXPECT_EQ((*j)["groups"][1]["name"], "acme/dev");
  EXPECT_EQ((*j)["groups"][2]["name"], "sonar-users");
  EXPECT_EQ((*j)["memberships"].dump(),
            R"([{"group":"acme","login":"mia"},{"group":"acme","login":"zoe"},)"
            R"({"group":"acme/dev","login":"adam"},{"group":"sonar-users","login":"adam"},)"
            R"({"group":"sonar-users","login":"zoe"}])");
  EXPECT_EQ((*j)["projects"][0]["key"], "alpha");
  EXPECT_EQ((*j)["projects"][1]["key"], "zeta");
  EXPECT_EQ((*j)["permissions"].dump(),
            R"([{"projectKey":null,"group":"sonar-users","permission":"scan"},)"
            R"({"projectKey":null,"login":"zoe","permission":"admin"},)"
            R"({"projectKey":"alpha","group":"acme","permission":"codeviewer"},)"
            R"({"projectKey":"alpha","login":"adam","permission":"admin"},)"
            R"({"projectKey":"alpha","login":"adam","permission":"user"},)"
            R"({"projectKey":"zeta","login":"zoe","permission":"user"}])");
}

TEST(ExportJson, DanglingReferencesAreInternalErrors) {
  AuthorizationState s;
  s.groups = {group(1, "g")};
  s.memberships = {{1, 99}};
  const auto j = export_json(s);
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace provisio::app
