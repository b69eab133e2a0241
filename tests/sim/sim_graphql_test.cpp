// gitlab-sim's GraphQL (POST /api/graphql) on a small hand-written world. Expected complexities
// are worked out here by hand from GitLab's rule (Types::BaseField#complexity_for and
// Resolvers::BaseResolver, see docs/gitlab-graphql.md), expected data from the world below and
// GitLab's documented field meanings; messages are graphql-ruby's / GitLab's.

#include <gtest/gtest.h>

#include "sim_test_support.hpp"

namespace provisio::sim {
namespace {

using nlohmann::json;
using testing::Answer;
using testing::call;

// Groups 1 top, 2 top/sub, 3 private (nobody of ours in it). Project 1 top/app. User 10 is
// blocked; alice (2) owns top; "today" is 2025-06-01. Role 1 is an instance custom role on one
// membership, role 2 belongs to the root group 1 and is unused.
constexpr const char* kWorld = R"({
 "users": [
  {"id":1,"username":"root","name":"Root","is_admin":true},
  {"id":2,"username":"alice","name":"Alice A"}, {"id":3,"username":"bob","name":"Bob B"},
  {"id":5,"username":"dave"}, {"id":6,"username":"erin","public_email":"erin@example.com"},
  {"id":9,"username":"heidi"}, {"id":10,"username":"ivan","state":"blocked"},
  {"id":11,"username":"judy"}],
 "groups": [
  {"id":1,"path":"top","name":"Top"}, {"id":2,"path":"sub","name":"Sub","parent_id":1},
  {"id":3,"path":"hidden","name":"Hidden"}],
 "projects": [{"id":1,"path":"app","name":"App","namespace_id":1}],
 "custom_roles": [
  {"id":1,"name":"Auditor","base_access_level":20},
  {"id":2,"name":"Root role","group_id":1,"base_access_level":10}],
 "group_members": [
  {"group_id":1,"members":[[2,50,null,null],[5,10,"2025-01-01",null],[6,5,null,null],
                           [10,20,null,1]]},
  {"group_id":2,"members":[[3,30,null,null],[9,15,"2099-01-01",null]]},
  {"group_id":3,"members":[[1,50,null,null]]}],
 "project_members": [{"project_id":1,"members":[[11,30,null,null],[3,40,"2030-02-03",null]]}],
 "tokens": [
  {"id":1,"token":"admin","user_id":1,"scopes":["read_api"]},
  {"id":2,"token":"alice","user_id":2,"scopes":["read_api"]},
  {"id":3,"token":"judy","user_id":11,"scopes":["read_api"]},
  {"id":4,"token":"alice-readuser","user_id":2,"scopes":["read_user"]}]
})";

// One group's direct members with what a sync reads: complexity 66 (worked out in the first
// test).
constexpr const char* kMembersOfGroups =
    "query($ids: [ID!]) { groups(ids: $ids, first: 100) { nodes { id groupMembers(relations: "
    "[DIRECT], first: 100) { pageInfo { hasNextPage endCursor } nodes { accessLevel { "
    "integerValue } expiresAt user { id username name state } } } } pageInfo { hasNextPage "
    "endCursor } } }";

class Graphql : public ::testing::Test {
 protected:
  void SetUp() override {
    auto world = parse_world(kWorld);
    ASSERT_TRUE(world) << world.error().message;
    sim_ = std::make_unique<Simulator>(std::move(*world), testing::fixed_clock());
    router_ = sim_->router();
  }
  Answer post(const json& body, const std::string& token = "alice") {
    return call(router_, "POST", "/api/graphql", token, {{"Content-Type", "application/json"}},
                body.dump());
  }
  Answer query(const std::string& q, const json& variables = nullptr,
               const std::string& token = "alice") {
    json body{{"query", q}};
    if (!variables.is_null()) body["variables"] = variables;
    return post(body, token);
  }
  std::unique_ptr<Simulator> sim_;
  http::Router router_;
};

TEST_F(Graphql, ScoresAQueryWithGitLabsRule) {
  // member node: accessLevel 1 + integerValue 1, expiresAt 1, user 1 + 4 fields = 8; nodes 1 + 8
  // = 9; pageInfo 1 + 2 = 3; groupMembers (resolver, connection): 12 + 1 = 13, first 100 doubles
  // it: 26. group node: id 1 + 26 = 27; nodes 28; pageInfo 3; groups: 31 + 1 + 1 (its `sort`
  // argument defaults to name_asc) = 33, doubled: 66. queryComplexity: 1 + 2 = 3.
  const std::string q =
      std::string(kMembersOfGroups)
          .insert(std::string(kMembersOfGroups).size() - 1, " queryComplexity { score limit }");
  const Answer a = query(q, {{"ids", json::array({"gid://gitlab/Group/2"})}});
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["data"]["queryComplexity"], (json{{"score", 69}, {"limit", 250}}));
  // Smaller pages cost less: first 20 multiplies by 1.2 (truncated).
  const Answer small = query(
      "{ group(fullPath: \"top\") { groupMembers(relations: [DIRECT], first: 20) { nodes { id } } "
      "} queryComplexity { score } }");
  // nodes 1 + 1 = 2; groupMembers (2 + 1) x 1.2 = 3.6 -> 3; group 1 + 3 = 4 (not a connection:
  // resolver complexity 1, no multiplier); queryComplexity 2.
  EXPECT_EQ(small.body["data"]["queryComplexity"]["score"], 6) << small.raw;
}

TEST_F(Graphql, RefusesAQueryOverTheLimitAndAMultiplexAsAWhole) {
  // Four aliases of the 66-point selection are 264: over 250 for a user, under 300 for an admin.
  std::string q = "query($ids: [ID!]) {";
  for (int i = 0; i < 4; ++i) {
    q += " a" + std::to_string(i) +
         ": groups(ids: $ids, first: 100) { nodes { id groupMembers(relations: [DIRECT], first: "
         "100) { pageInfo { hasNextPage endCursor } nodes { accessLevel { integerValue } "
         "expiresAt user { id username name state } } } } pageInfo { hasNextPage endCursor } }";
  }
  q += " }";
  const json vars{{"ids", json::array({"gid://gitlab/Group/1"})}};
  const Answer refused = query(q, vars);
  EXPECT_EQ(refused.status, 200);
  EXPECT_EQ(refused.body, (json{{"errors",
                                 {{{"message",
                                    "Query has complexity of 264, which exceeds max complexity of "
                                    "250"}}}}}));
  EXPECT_TRUE(query(q, vars, "admin").body.contains("data"));
  // Three single-alias queries multiplexed: 198 in all, allowed; four: 264, each refused.
  json batch = json::array();
  for (int i = 0; i < 4; ++i) batch.push_back({{"query", kMembersOfGroups}, {"variables", vars}});
  const Answer four = post(batch);
  ASSERT_TRUE(four.body.is_array()) << four.raw;
  ASSERT_EQ(four.body.size(), 4u);
  for (const auto& r : four.body) {
    EXPECT_EQ(r["errors"][0]["message"],
              "Query has complexity of 264, which exceeds max complexity of 250");
  }
  batch.erase(batch.begin());
  const Answer three = post(batch);
  ASSERT_EQ(three.body.size(), 3u) << three.raw;
  for (const auto& r : three.body) EXPECT_TRUE(r.contains("data")) << r;
  const json counters = sim_->counters().snapshot()["graphql"];
  EXPECT_EQ(counters["requests"], 4);
  EXPECT_EQ(counters["operations"], 1 + 1 + 4 + 3);
  EXPECT_EQ(counters["multiplexed_requests"], 2);
  EXPECT_EQ(counters["refused_for_complexity"], 2);
}

TEST_F(Graphql, DirectMembersAsRestListsThem) {
  const Answer a = query(kMembersOfGroups,
                         {{"ids", json::array({"gid://gitlab/Group/1", "gid://gitlab/Group/2"})}});
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_FALSE(a.body.contains("errors")) << a.raw;
  const json& groups = a.body["data"]["groups"]["nodes"];
  ASSERT_EQ(groups.size(), 2u);
  // Sorted by name: Sub before Top.
  EXPECT_EQ(groups[0]["id"], "gid://gitlab/Group/2");
  EXPECT_EQ(groups[1]["id"], "gid://gitlab/Group/1");
  const json& top = groups[1]["groupMembers"]["nodes"];
  ASSERT_EQ(top.size(), 4u);
  // Expired rows stay listed (as REST's /members); Minimal Access is listed where granted; a
  // blocked user keeps its row with its state.
  EXPECT_EQ(top[0], (json{{"accessLevel", {{"integerValue", 50}}},
                          {"expiresAt", nullptr},
                          {"user",
                           {{"id", "gid://gitlab/User/2"},
                            {"username", "alice"},
                            {"name", "Alice A"},
                            {"state", "active"}}}}));
  EXPECT_EQ(top[1]["expiresAt"], "2025-01-01");
  EXPECT_EQ(top[2]["accessLevel"]["integerValue"], 5);
  EXPECT_EQ(top[3]["user"]["state"], "blocked");
  EXPECT_EQ(groups[1]["groupMembers"]["pageInfo"]["hasNextPage"], false);
  // The hidden group is not alice's to see: it is simply absent.
  const Answer hidden = query(kMembersOfGroups, {{"ids", json::array({"gid://gitlab/Group/3"})}});
  EXPECT_EQ(hidden.body["data"]["groups"]["nodes"], json::array()) << hidden.raw;
}

TEST_F(Graphql, PagesFollowTheCursor) {
  const std::string q =
      "query($after: String) { group(fullPath: \"top\") { groupMembers(relations: [DIRECT], "
      "first: 3, after: $after) { pageInfo { hasNextPage endCursor } nodes { user { username } } "
      "} } }";
  const Answer first = query(q);
  const json& page1 = first.body["data"]["group"]["groupMembers"];
  ASSERT_EQ(page1["nodes"].size(), 3u) << first.raw;
  EXPECT_EQ(page1["pageInfo"]["hasNextPage"], true);
  const Answer second = query(q, {{"after", page1["pageInfo"]["endCursor"]}});
  const json& page2 = second.body["data"]["group"]["groupMembers"];
  ASSERT_EQ(page2["nodes"].size(), 1u) << second.raw;
  EXPECT_EQ(page2["nodes"][0]["user"]["username"], "ivan");
  EXPECT_EQ(page2["pageInfo"]["hasNextPage"], false);
  // A cursor that is not one: GitLab's error, the field null.
  const Answer bad = query(q, {{"after", "not-a-cursor"}});
  EXPECT_EQ(bad.body["errors"][0]["message"], "Please provide a valid cursor") << bad.raw;
  EXPECT_EQ(bad.body["errors"][0]["path"], json::array({"group", "groupMembers"}));
}

TEST_F(Graphql, ProjectMembersDirectOnly) {
  const Answer a = query(
      "query($ids: [ID!]) { projects(ids: $ids) { nodes { id fullPath projectMembers(relations: "
      "[DIRECT]) { nodes { accessLevel { integerValue } expiresAt user { username } } } } } }",
      {{"ids", json::array({"gid://gitlab/Project/1"})}});
  ASSERT_FALSE(a.body.contains("errors")) << a.raw;
  const json& p = a.body["data"]["projects"]["nodes"][0];
  EXPECT_EQ(p["fullPath"], "top/app");
  EXPECT_EQ(p["projectMembers"]["nodes"], (json{{{"accessLevel", {{"integerValue", 40}}},
                                                 {"expiresAt", "2030-02-03"},
                                                 {"user", {{"username", "bob"}}}},
                                                {{"accessLevel", {{"integerValue", 30}}},
                                                 {"expiresAt", nullptr},
                                                 {"user", {{"username", "judy"}}}}}));
  // The default relations (DIRECT and INHERITED) are not simulated for projects: said so.
  const Answer inherited =
      query("{ project(fullPath: \"top/app\") { projectMembers { nodes { id } } } }");
  EXPECT_NE(inherited.body["errors"][0]["message"].get<std::string>().find("DIRECT"),
            std::string::npos)
      << inherited.raw;
}

TEST_F(Graphql, CustomRolesAndTheirUse) {
  const std::string q =
      "{ memberRoles { nodes { name baseAccessLevel { integerValue } membersCount } } "
      "group(fullPath: \"top\") { memberRoles { nodes { name membersCount } } pendingMembers { "
      "nodes { id } } } }";
  const Answer admin = query(q, nullptr, "admin");
  ASSERT_FALSE(admin.body.contains("errors")) << admin.raw;
  EXPECT_EQ(admin.body["data"]["memberRoles"]["nodes"],
            (json{{{"name", "Auditor"},
                   {"baseAccessLevel", {{"integerValue", 20}}},
                   {"membersCount", 1}}}));
  EXPECT_EQ(admin.body["data"]["group"]["memberRoles"]["nodes"],
            (json{{{"name", "Root role"}, {"membersCount", 0}}}));
  EXPECT_EQ(admin.body["data"]["group"]["pendingMembers"]["nodes"], json::array());
  // Any signed-in user reads the instance's roles; a group's Guest or more reads the group's.
  const Answer owner = query(q);
  ASSERT_FALSE(owner.body.contains("errors")) << owner.raw;
  EXPECT_EQ(owner.body["data"]["memberRoles"]["nodes"].size(), 1u);
  EXPECT_EQ(owner.body["data"]["group"]["memberRoles"]["nodes"].size(), 1u);
  // judy is no member of top (she sees it through her project): the group's roles are an
  // empty list, not an error (GitLab's RolesFinder), and pending members are refused. Her level
  // in top says why: none.
  const Answer judy = query(
      "{ group(fullPath: \"top\") { maxAccessLevel { integerValue } memberRoles { nodes { name } } "
      "pendingMembers { nodes { id } } } }",
      nullptr, "judy");
  EXPECT_EQ(judy.body["data"]["group"]["maxAccessLevel"]["integerValue"], 0) << judy.raw;
  EXPECT_EQ(judy.body["data"]["group"]["memberRoles"]["nodes"], json::array());
  EXPECT_EQ(judy.body["data"]["group"]["pendingMembers"], nullptr);
  EXPECT_EQ(judy.body["errors"][0]["path"], json::array({"group", "pendingMembers"}));
}

TEST_F(Graphql, GitLabsErrors) {
  EXPECT_EQ(query("{ group(fullPath: \"top\") { nope } }").body["errors"][0]["message"],
            "Field 'nope' doesn't exist on type 'Group'");
  EXPECT_EQ(query("{ group(fullPath: \"top\") { id }").body["errors"][0]["message"],
            "Unexpected end of document");
  EXPECT_EQ(query("{ group(fullPath: \"top\") { id } } }").body["errors"][0]["message"],
            "Parse error on \"}\" (RCURLY) at [1, 35]");
  EXPECT_EQ(query("{ group { id } }").body["errors"][0]["message"],
            "Field 'group' is missing required arguments: fullPath");
  EXPECT_EQ(
      query("query($x: Int) { group(fullPath: \"top\") { id } }").body["errors"][0]["message"],
      "Variable $x is declared by anonymous query but not used");
  EXPECT_EQ(query("query($ids: [ID!]) { groups(ids: $ids) { nodes { id } } }",
                  {{"ids", json::array({"gid://gitlab/Project/1"})}})
                .body["errors"][0]["message"],
            "gid://gitlab/Project/1 is not a valid ID for Group.");
  EXPECT_EQ(query("{ group(fullPath: \"top\") { groupMembers(relations: DIRECTLY) { nodes { id } "
                  "} } }")
                .body["errors"][0]["message"],
            "Argument 'relations' on Field 'groupMembers' has an invalid value (DIRECTLY). "
            "Expected type '[GroupMemberRelation!]'.");
  // 10,000 characters of query at most (GraphqlController::MAX_QUERY_SIZE).
  const Answer large = query("{ group(fullPath: \"top\") { id } }" + std::string(10'000, ' '));
  EXPECT_EQ(large.status, 422);
  EXPECT_EQ(large.body, (json{{"errors", {{{"message", "Query too large"}}}}}));
  // A token GitLab does not know: GraphQL's own 401 body.
  const Answer unknown = query("{ group(fullPath: \"top\") { id } }", nullptr, "nope");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.body, (json{{"errors", {{{"message", "Invalid token"}}}}}));
  // A token without read_api: refused, as REST refuses it.
  EXPECT_EQ(query("{ group(fullPath: \"top\") { id } }", nullptr, "alice-readuser").status, 403);
}

// Groups 1 top and 2 top/sub; 3 team, invited into top as Reporter; 4 other, into which 5 empty
// (no members) and 6 lapsed (an expired share) are invited. alice owns top directly.
constexpr const char* kSharedWorld = R"({
 "users": [
  {"id":1,"username":"root","name":"Root","is_admin":true},
  {"id":2,"username":"alice"}, {"id":3,"username":"bob"}, {"id":5,"username":"dave"},
  {"id":6,"username":"erin"}, {"id":9,"username":"heidi"}],
 "groups": [
  {"id":1,"path":"top","name":"Top"}, {"id":2,"path":"sub","name":"Sub","parent_id":1},
  {"id":3,"path":"team","name":"Team"}, {"id":4,"path":"other","name":"Other"},
  {"id":5,"path":"empty","name":"Empty"}, {"id":6,"path":"lapsed","name":"Lapsed"}],
 "group_members": [
  {"group_id":1,"members":[[2,50,null,null]]},
  {"group_id":3,"members":[[3,40,null,null],[5,10,null,null],[6,5,null,null]]},
  {"group_id":6,"members":[[9,30,null,null]]}],
 "group_shares": [
  {"shared_group_id":1,"invited_group_id":3,"group_access_level":20},
  {"shared_group_id":4,"invited_group_id":5,"group_access_level":30},
  {"shared_group_id":4,"invited_group_id":6,"group_access_level":30,"expires_at":"2025-01-01"}],
 "tokens": [
  {"id":1,"token":"admin","user_id":1,"scopes":["read_api"]},
  {"id":2,"token":"alice","user_id":2,"scopes":["read_api"]}]
})";

class SharedGraphql : public Graphql {
 protected:
  void SetUp() override {
    auto world = parse_world(kSharedWorld);
    ASSERT_TRUE(world) << world.error().message;
    sim_ = std::make_unique<Simulator>(std::move(*world), testing::fixed_clock());
    router_ = sim_->router();
  }
};

constexpr const char* kSharedFrom =
    "query($ids: [ID!]) { groups(ids: $ids, first: 100) { nodes { id maxAccessLevel { "
    "integerValue } groupMembers(relations: [SHARED_FROM_GROUPS], first: 100) { nodes { "
    "accessLevel { integerValue } user { id } } } } } }";

// GroupMembersFinder's shared_from_groups: the direct members of the groups invited into the
// group or an ancestor, at the lower of their level and the share's, without Minimal Access;
// maxAccessLevel is the caller's direct level only (User#max_member_access_for_group_ids).
TEST_F(SharedGraphql, SharedFromGroupsListsInvitedGroupsMembersCapped) {
  const Answer a =
      query(kSharedFrom, {{"ids", json::array({"gid://gitlab/Group/1", "gid://gitlab/Group/2"})}});
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_FALSE(a.body.contains("errors")) << a.raw;
  const json& groups = a.body["data"]["groups"]["nodes"];
  ASSERT_EQ(groups.size(), 2u) << a.raw;
  const json invited = json::array(
      {{{"accessLevel", {{"integerValue", 20}}}, {"user", {{"id", "gid://gitlab/User/3"}}}},
       {{"accessLevel", {{"integerValue", 10}}}, {"user", {{"id", "gid://gitlab/User/5"}}}}});
  // Sorted by name: Sub, then Top. Sub has no share of its own: Top's reaches it.
  EXPECT_EQ(groups[0]["id"], "gid://gitlab/Group/2");
  EXPECT_EQ(groups[0]["maxAccessLevel"]["integerValue"], 0);
  EXPECT_EQ(groups[0]["groupMembers"]["nodes"], invited);
  EXPECT_EQ(groups[1]["id"], "gid://gitlab/Group/1");
  EXPECT_EQ(groups[1]["maxAccessLevel"]["integerValue"], 50);
  EXPECT_EQ(groups[1]["groupMembers"]["nodes"], invited);
  // A share of a group without members, and an expired one, list nobody.
  const Answer other =
      query(kSharedFrom, {{"ids", json::array({"gid://gitlab/Group/4"})}}, "admin");
  ASSERT_EQ(other.status, 200) << other.raw;
  const json& nodes = other.body["data"]["groups"]["nodes"];
  ASSERT_EQ(nodes.size(), 1u) << other.raw;
  EXPECT_EQ(nodes[0]["maxAccessLevel"]["integerValue"], 0);  // an administrator, no member
  EXPECT_EQ(nodes[0]["groupMembers"]["nodes"], json::array());
}

// GET /groups/:id/groups/shared: the groups a group was invited into.
TEST_F(SharedGraphql, RestListsTheGroupsAGroupWasInvitedInto) {
  const Answer team = call(router_, "GET", "/api/v4/groups/3/groups/shared", "admin");
  ASSERT_EQ(team.status, 200) << team.raw;
  ASSERT_EQ(team.body.size(), 1u) << team.raw;
  EXPECT_EQ(team.body[0]["id"], 1);
  EXPECT_EQ(team.body[0]["full_path"], "top");
  const Answer empty = call(router_, "GET", "/api/v4/groups/5/groups/shared", "admin");
  ASSERT_EQ(empty.status, 200) << empty.raw;
  ASSERT_EQ(empty.body.size(), 1u) << empty.raw;
  EXPECT_EQ(empty.body[0]["id"], 4);
  const Answer top = call(router_, "GET", "/api/v4/groups/1/groups/shared", "admin");
  EXPECT_EQ(top.body, json::array()) << top.raw;
}

}  // namespace
}  // namespace provisio::sim
