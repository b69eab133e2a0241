// GitLab's rules on small hand-written worlds. Every expected answer is written here from
// GitLab's documentation (CONTRACT.md), not computed by the simulator's own code.

#include <gtest/gtest.h>

#include "generator.hpp"
#include "sim_test_support.hpp"

namespace provisio::sim {
namespace {

using nlohmann::json;
using testing::Answer;
using testing::call;
using testing::get;

// Groups: 1 top, 2 top/sub, 3 top/sub/leaf, 4 other (invited into 2 at Reporter), 5 other/child
// (project 1 is shared with it at Developer), 6 pub (public), 7 late (invited into 1, expired).
// "today" is 2025-06-01.
constexpr const char* kWorld = R"({
 "users": [
  {"id":1,"username":"root","is_admin":true},
  {"id":2,"username":"alice"}, {"id":3,"username":"bob"}, {"id":4,"username":"carol"},
  {"id":5,"username":"dave"}, {"id":6,"username":"erin"}, {"id":7,"username":"frank"},
  {"id":8,"username":"grace"}, {"id":9,"username":"heidi"},
  {"id":10,"username":"ivan","state":"blocked"}, {"id":11,"username":"judy"},
  {"id":12,"username":"ken"}],
 "groups": [
  {"id":1,"path":"top"}, {"id":2,"path":"sub","parent_id":1}, {"id":3,"path":"leaf","parent_id":2},
  {"id":4,"path":"other"}, {"id":5,"path":"child","parent_id":4},
  {"id":6,"path":"pub","visibility":"public"}, {"id":7,"path":"late"}],
 "projects": [
  {"id":1,"path":"app","namespace_id":3}, {"id":2,"path":"site","namespace_id":6,"visibility":"public"}],
 "group_members": [
  {"group_id":1,"members":[[2,50,null,null],[5,10,"2025-01-01",null],[6,5,null,null],[10,20,null,null]]},
  {"group_id":2,"members":[[3,30,null,null],[9,15,"2099-01-01",null]]},
  {"group_id":4,"members":[[3,40,null,null],[4,40,null,null]]},
  {"group_id":5,"members":[[7,50,null,null]]},
  {"group_id":7,"members":[[8,30,null,null]]}],
 "project_members": [{"project_id":1,"members":[[12,30,null,null]]}],
 "group_shares": [
  {"shared_group_id":2,"invited_group_id":4,"group_access_level":20},
  {"shared_group_id":1,"invited_group_id":7,"group_access_level":30,"expires_at":"2025-05-01"}],
 "project_shares": [{"project_id":1,"group_id":5,"group_access_level":30}],
 "tokens": [
  {"id":1,"token":"admin","user_id":1,"scopes":["read_api"]},
  {"id":2,"token":"alice","user_id":2,"scopes":["read_api"]},
  {"id":3,"token":"judy","user_id":11,"scopes":["read_api"]},
  {"id":4,"token":"ken","user_id":12,"scopes":["read_api"]},
  {"id":5,"token":"alice-readuser","user_id":2,"scopes":["read_user"]},
  {"id":6,"token":"alice-expired","user_id":2,"scopes":["read_api"],"expires_at":"2025-06-01"},
  {"id":7,"token":"alice-revoked","user_id":2,"scopes":["read_api"],"revoked":true},
  {"id":8,"token":"ivan","user_id":10,"scopes":["read_api"]},
  {"id":9,"token":"root-sudo","user_id":1,"scopes":["api","sudo"]},
  {"id":10,"token":"alice-sudo","user_id":2,"scopes":["api","sudo"]}]
})";

class Rules : public ::testing::Test {
 protected:
  void SetUp() override {
    auto world = parse_world(kWorld);
    ASSERT_TRUE(world) << world.error().message;
    sim_ = std::make_unique<Simulator>(std::move(*world), testing::fixed_clock());
    router_ = sim_->router();
  }
  // {user_id: access_level} of a member list answer.
  static std::map<int, int> levels(const Answer& a) {
    std::map<int, int> out;
    for (const auto& row : a.body) out[row["id"].get<int>()] = row["access_level"].get<int>();
    return out;
  }
  std::unique_ptr<Simulator> sim_;
  http::Router router_;
};

TEST_F(Rules, MembersAllInheritsFromAncestorsAndCapsInvitedGroupsAtTheShareLevel) {
  // bob: direct Developer beats Maintainer-capped-to-Reporter through the share; carol: Maintainer
  // of the invited group, capped to Reporter; dave: expired; erin: Minimal Access is not
  // inherited; heidi: Planner, expiring in the future; ivan: blocked, still listed.
  const auto a = get(router_, "/api/v4/groups/2/members/all", "admin");
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(levels(a), (std::map<int, int>{{2, 50}, {3, 30}, {4, 20}, {9, 15}, {10, 20}}));
  EXPECT_EQ(a.body[4]["state"], "blocked");
  // A subgroup gets the same through its ancestors and the share into its parent.
  EXPECT_EQ(levels(get(router_, "/api/v4/groups/3/members/all", "admin")),
            (std::map<int, int>{{2, 50}, {3, 30}, {4, 20}, {9, 15}, {10, 20}}));
}

TEST_F(Rules, MembersAllDropsExpiredMembershipsAndExpiredSharesAndKeepsMinimalAccessOnItsGroup) {
  // dave expired on 2025-01-01; group 7's share expired on 2025-05-01; erin keeps 5 here.
  EXPECT_EQ(levels(get(router_, "/api/v4/groups/1/members/all", "admin")),
            (std::map<int, int>{{2, 50}, {6, 5}, {10, 20}}));
  // The direct list still shows the expired membership (GitLab removes it later, by a job).
  const auto direct = get(router_, "/api/v4/groups/1/members", "admin");
  EXPECT_EQ(levels(direct), (std::map<int, int>{{2, 50}, {5, 10}, {6, 5}, {10, 20}}));
  EXPECT_EQ(direct.body[1]["expires_at"], "2025-01-01");
}

TEST_F(Rules, ProjectMembersAllCountsTheSharedGroupAndItsAncestorsCapped) {
  // ken direct; alice, bob, heidi, ivan inherited; carol through the share into group 2 (20) and
  // through the project's share with group 5, whose ancestor group 4 counts (40 capped to 30);
  // frank Owner of group 5, capped to 30.
  EXPECT_EQ(levels(get(router_, "/api/v4/projects/1/members/all", "admin")),
            (std::map<int, int>{{2, 50}, {3, 30}, {4, 30}, {7, 30}, {9, 15}, {10, 20}, {12, 30}}));
  const auto one = get(router_, "/api/v4/projects/1/members/all/7", "admin");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body["access_level"], 30);
  EXPECT_EQ(get(router_, "/api/v4/projects/1/members/all/11", "admin").body,
            json::parse(R"({"message":"404 Member Not Found"})"));
  EXPECT_EQ(levels(get(router_, "/api/v4/projects/1/members", "admin")),
            (std::map<int, int>{{12, 30}}));
}

TEST_F(Rules, OffsetPaginationHeadersAndLinks) {
  const auto p1 = get(router_, "/api/v4/groups/1/members?per_page=3", "admin");
  EXPECT_EQ(p1.header("x-page"), "1");
  EXPECT_EQ(p1.header("x-per-page"), "3");
  EXPECT_EQ(p1.header("x-next-page"), "2");
  EXPECT_EQ(p1.header("x-prev-page"), "");
  EXPECT_EQ(p1.header("x-total"), "4");
  EXPECT_EQ(p1.header("x-total-pages"), "2");
  EXPECT_EQ(p1.header("link"),
            "<http://gitlab.test/api/v4/groups/1/members?page=2&per_page=3>; rel=\"next\", "
            "<http://gitlab.test/api/v4/groups/1/members?page=1&per_page=3>; rel=\"first\", "
            "<http://gitlab.test/api/v4/groups/1/members?page=2&per_page=3>; rel=\"last\"");
  const auto p2 = get(router_, "/api/v4/groups/1/members?per_page=3&page=2", "admin");
  EXPECT_EQ(p2.body.size(), 1u);
  EXPECT_EQ(p2.header("x-next-page"), "");
  EXPECT_EQ(p2.header("x-prev-page"), "1");
  EXPECT_NE(p2.header("link").find("rel=\"prev\""), std::string::npos);
  EXPECT_EQ(p2.header("link").find("rel=\"next\""), std::string::npos);
  // per_page above 100 is clamped; the default is 20.
  EXPECT_EQ(get(router_, "/api/v4/groups/1/members?per_page=500", "admin").header("x-per-page"),
            "100");
  EXPECT_EQ(get(router_, "/api/v4/groups/1/members", "admin").header("x-per-page"), "20");
}

TEST_F(Rules, PageOrPerPageBelowOneIs400) {
  for (const char* q : {"page=0", "per_page=0", "page=-1", "page=abc"}) {
    const auto a = get(router_, std::string("/api/v4/groups/1/members?") + q, "admin");
    EXPECT_EQ(a.status, 400) << q;
  }
  EXPECT_EQ(get(router_, "/api/v4/groups/1/members?page=0", "admin").body,
            json::parse(R"({"error":"page does not have a valid value"})"));
}

TEST_F(Rules, PastTheOffsetLimitOfKeysetResourcesIs405) {
  EXPECT_EQ(get(router_, "/api/v4/projects?page=2000&per_page=25", "admin").status, 200);
  const auto projects = get(router_, "/api/v4/projects?page=2001&per_page=25", "admin");
  EXPECT_EQ(projects.status, 405);
  EXPECT_EQ(projects.body["error"],
            "Offset pagination has a maximum allowed offset of 50000 for requests that return "
            "objects of type Project. Remaining records can be retrieved using keyset pagination.");
  EXPECT_EQ(get(router_, "/api/v4/users?page=501&per_page=100", "admin").status, 405);
  EXPECT_EQ(get(router_, "/api/v4/groups?page=501&per_page=100", "admin").status, 405);
  // Members are not a keyset resource: no cap.
  EXPECT_EQ(get(router_, "/api/v4/groups/1/members?page=501&per_page=100", "admin").status, 200);
}

TEST_F(Rules, KeysetPaginationOnProjectsAndUsers) {
  const auto first =
      get(router_, "/api/v4/projects?pagination=keyset&order_by=id&sort=asc&per_page=1", "admin");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body[0]["id"], 1);
  EXPECT_FALSE(first.has("x-total"));
  EXPECT_NE(first.header("link").find("id_after=1"), std::string::npos);
  EXPECT_NE(first.header("link").find("rel=\"next\""), std::string::npos);
  const auto last =
      get(router_, "/api/v4/projects?pagination=keyset&order_by=id&sort=asc&per_page=1&id_after=1",
          "admin");
  EXPECT_EQ(last.body[0]["id"], 2);
  EXPECT_FALSE(last.has("link"));
  const auto users =
      get(router_, "/api/v4/users?pagination=keyset&order_by=id&sort=desc&per_page=5", "admin");
  EXPECT_EQ(users.body[0]["id"], 12);
  EXPECT_NE(users.header("link").find("id_before=8"), std::string::npos);
}

TEST(RulesLarge, TotalsAreLeftOutAboveTenThousandRecords) {
  std::vector<User> users;
  std::vector<Member> members;
  for (Id id = 1; id <= 10001; ++id) {
    users.push_back({id, "u" + std::to_string(id), "U", "active", false, id == 1, "", "", ""});
    members.push_back({id, kGuest, std::nullopt, std::nullopt, "", std::nullopt});
  }
  World world;
  world.assign(std::move(users), {{1, "Big", "big", std::nullopt, "private", "", "", "", ""}}, {},
               {}, {{1, std::move(members)}}, {}, {}, {},
               {{1, "t", "", "admin", 1, {"read_api"}, false, std::nullopt, "", std::nullopt}}, {});
  Simulator sim(std::move(world), testing::fixed_clock());
  const auto router = sim.router();
  const auto a = get(router, "/api/v4/groups/1/members?per_page=100", "admin");
  EXPECT_EQ(a.body.size(), 100u);
  EXPECT_EQ(a.header("x-next-page"), "2");
  EXPECT_FALSE(a.has("x-total"));
  EXPECT_FALSE(a.has("x-total-pages"));
  EXPECT_EQ(a.header("link").find("rel=\"last\""), std::string::npos);
  const auto end = get(router, "/api/v4/groups/1/members?per_page=100&page=101", "admin");
  EXPECT_EQ(end.body.size(), 1u);
  EXPECT_EQ(end.header("x-next-page"), "");
  // /members/all of the same group behaves the same.
  EXPECT_FALSE(get(router, "/api/v4/groups/1/members/all", "admin").has("x-total"));
}

TEST_F(Rules, AuthenticationErrorsHaveGitLabsBodies) {
  const json unauthorized = json::parse(R"({"message":"401 Unauthorized"})");
  EXPECT_EQ(get(router_, "/api/v4/user").status, 401);
  EXPECT_EQ(get(router_, "/api/v4/user").body, unauthorized);
  EXPECT_EQ(get(router_, "/api/v4/user", "nope").body, unauthorized);
  // An invalid token is refused even where anonymous calls are fine.
  EXPECT_EQ(get(router_, "/api/v4/groups/6", "nope").status, 401);

  const auto expired = get(router_, "/api/v4/user", "alice-expired");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(
      expired.body,
      json::parse(
          R"({"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."})"));
  EXPECT_NE(expired.header("www-authenticate").find("error=\"invalid_token\""), std::string::npos);
  const auto revoked = get(router_, "/api/v4/user", "alice-revoked");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(
      revoked.body,
      json::parse(
          R"({"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."})"));

  const auto scope = get(router_, "/api/v4/groups/1", "alice-readuser");
  EXPECT_EQ(scope.status, 403);
  EXPECT_EQ(
      scope.body,
      json::parse(
          R"({"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api read_api"})"));
  EXPECT_FALSE(scope.has("www-authenticate"));
  EXPECT_EQ(get(router_, "/api/v4/user", "alice-readuser").status, 200);

  EXPECT_EQ(get(router_, "/api/v4/user", "ivan").body,
            json::parse(R"({"message":"403 Forbidden - Your account has been blocked."})"));
  EXPECT_EQ(call(router_, "GET", "/api/v4/user", "alice-sudo", {{"Sudo", "bob"}}).body,
            json::parse(R"({"message":"403 Forbidden - Must be admin to use sudo"})"));
  EXPECT_EQ(call(router_, "GET", "/api/v4/user", "admin", {{"Sudo", "bob"}}).body["scope"], "sudo");
  EXPECT_EQ(call(router_, "GET", "/api/v4/user", "root-sudo", {{"Sudo", "bob"}}).body["username"],
            "bob");
  // Authorization: Bearer works like PRIVATE-TOKEN.
  EXPECT_EQ(
      call(router_, "GET", "/api/v4/user", "", {{"Authorization", "Bearer alice"}}).body["id"], 2);
}

TEST_F(Rules, PrivateThingsTheCallerMayNotSeeAre404) {
  EXPECT_EQ(get(router_, "/api/v4/groups/1", "judy").body,
            json::parse(R"({"message":"404 Group Not Found"})"));
  EXPECT_EQ(get(router_, "/api/v4/groups/1").status, 404);
  EXPECT_EQ(get(router_, "/api/v4/groups/6").status, 200);
  EXPECT_EQ(get(router_, "/api/v4/groups/6", "judy").status, 200);
  EXPECT_EQ(get(router_, "/api/v4/projects/1", "judy").body,
            json::parse(R"({"message":"404 Project Not Found"})"));
  EXPECT_EQ(get(router_, "/api/v4/projects/1/members/all", "judy").status, 404);
  // A project member sees the project and reads the names of the groups above it.
  EXPECT_EQ(get(router_, "/api/v4/projects/1", "ken").status, 200);
  EXPECT_EQ(get(router_, "/api/v4/groups/1", "ken").status, 200);
  EXPECT_EQ(get(router_, "/api/v4/groups/4", "ken").status, 404);
  // Groups by URL-encoded full path.
  EXPECT_EQ(get(router_, "/api/v4/groups/top%2Fsub", "alice").body["id"], 2);
  EXPECT_EQ(get(router_, "/api/v4/projects/top%2Fsub%2Fleaf%2Fapp", "alice").body["id"], 1);
  // Unauthenticated /projects lists public projects only.
  const auto anon = get(router_, "/api/v4/projects");
  ASSERT_EQ(anon.body.size(), 1u);
  EXPECT_EQ(anon.body[0]["id"], 2);
  EXPECT_EQ(get(router_, "/api/v4/no/such/route", "admin").body,
            json::parse(R"({"error":"404 Not Found"})"));
}

TEST_F(Rules, EmailOnlyForAdmins) {
  EXPECT_FALSE(get(router_, "/api/v4/users/3", "alice").body.contains("email"));
  EXPECT_TRUE(get(router_, "/api/v4/users/3", "admin").body.contains("email"));
  EXPECT_FALSE(get(router_, "/api/v4/groups/1/members", "alice").body[0].contains("email"));
  EXPECT_TRUE(get(router_, "/api/v4/groups/1/members", "admin").body[0].contains("email"));
  EXPECT_EQ(get(router_, "/api/v4/user", "alice").body["email"], "alice@example.com");
  const auto list = get(router_, "/api/v4/users?username=ALICE", "judy");
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_FALSE(list.body[0].contains("email"));
}

TEST_F(Rules, GroupsWithMinAccessLevelAreDirectMembershipsAndTheirDescendants) {
  const auto a = get(router_, "/api/v4/groups?min_access_level=10", "alice");
  std::set<int> ids;
  for (const auto& g : a.body) ids.insert(g["id"].get<int>());
  EXPECT_EQ(ids, (std::set<int>{1, 2, 3}));
  const auto bob = get(router_, "/api/v4/groups?min_access_level=40", "bob-has-no-token");
  EXPECT_EQ(bob.status, 401);
}

TEST(Generator, SameOptionsGiveTheSameBytesAndWorldSHasItsShape) {
  const auto options = *preset("S");
  const auto a = generate_world(options);
  const auto b = generate_world(options);
  ASSERT_TRUE(a && b);
  const std::string text = write_world(*a);
  EXPECT_TRUE(text == write_world(*b));
  auto other = options;
  other.seed = 2;
  EXPECT_FALSE(text == write_world(*generate_world(other)));
  // Round trip through the file format.
  EXPECT_TRUE(write_world(*parse_world(text)) == text);

  const World& w = *a;
  EXPECT_EQ(w.users().size(), 500u);
  EXPECT_EQ(w.groups().size(), 50u);
  EXPECT_EQ(w.projects().size(), 200u);
  int bots = 0, blocked = 0;
  for (const auto& [id, u] : w.users()) {
    bots += u.bot;
    blocked += u.state == "blocked";
  }
  EXPECT_EQ(bots, 2);
  EXPECT_EQ(blocked, 3);
  for (const auto& [id, g] : w.groups()) EXPECT_LE(w.ancestors(id).size(), 2u) << g.full_path;
  EXPECT_EQ(w.group(1)->full_path, "acme");
  EXPECT_EQ(w.group(2)->full_path, "umbrella");
  EXPECT_EQ(w.group(3)->full_path, "outside");
  EXPECT_EQ(w.user(1)->username, "root");
  EXPECT_TRUE(w.user(1)->is_admin);
  EXPECT_EQ(w.member(SourceKind::kGroup, 1, 2)->access_level, kOwner);
  EXPECT_EQ(w.member(SourceKind::kGroup, 2, 2)->access_level, kOwner);
  for (const char* t : {"sim-admin-token", "sim-owner-token", "sim-readuser-token",
                        "sim-expired-token", "sim-revoked-token"}) {
    EXPECT_NE(w.token_by_secret(t), nullptr) << t;
  }
  EXPECT_FALSE(w.group_shares().empty());
  EXPECT_FALSE(w.project_shares().empty());
  bool from_outside = false;
  for (const auto& s : w.group_shares())
    from_outside |= w.is_self_or_ancestor(3, s.invited_group_id);
  EXPECT_TRUE(from_outside);
  std::set<int> levels;
  int roles = 0, expired = 0;
  for (const auto* kind : {&w.groups()}) {
    for (const auto& [id, g] : *kind) {
      for (const auto& m : w.members(SourceKind::kGroup, id)) {
        levels.insert(m.access_level);
        roles += m.member_role_id.has_value();
        expired += m.expires_at == std::optional<std::string>("2024-01-15");
      }
    }
  }
  EXPECT_TRUE(levels.count(kMinimalAccess));
  EXPECT_TRUE(levels.count(kPlanner));
  EXPECT_GT(roles, 0);
  EXPECT_GT(expired, 0);
  EXPECT_EQ(w.application_by_client_id("sim-client-id")->client_secret, "sim-client-secret");
}

// GitLab allows no subgroup or project more open than its group, so whoever sees a group may
// read its ancestors. The generator gave private groups public subgroups (an owner's sync of M met
// a 404 on the private root `outside` above an invited public subgroup).
TEST(Generator, NothingIsMoreOpenThanTheGroupItIsIn) {
  const auto rank = [](const std::string& v) {
    return v == "public" ? 2 : v == "internal" ? 1 : 0;
  };
  for (const char* name : {"S", "M"}) {
    const auto w = generate_world(*preset(name));
    ASSERT_TRUE(w);
    int checked = 0;
    for (const auto& [id, g] : w->groups()) {
      if (!g.parent_id) continue;
      EXPECT_LE(rank(g.visibility), rank(w->group(*g.parent_id)->visibility)) << g.full_path;
      ++checked;
    }
    for (const auto& [id, p] : w->projects()) {
      EXPECT_LE(rank(p.visibility), rank(w->group(p.namespace_id)->visibility)) << p.path;
      ++checked;
    }
    EXPECT_GT(checked, 0) << name;
    // Still every visibility below the roots (umbrella is public).
    std::set<std::string> group_kinds;
    std::set<std::string> project_kinds;
    for (const auto& [id, g] : w->groups()) {
      if (g.parent_id) group_kinds.insert(g.visibility);
    }
    for (const auto& [id, p] : w->projects()) project_kinds.insert(p.visibility);
    if (std::string(name) == "M") {  // S has too few subgroups below umbrella to hold all three
      EXPECT_EQ(group_kinds, (std::set<std::string>{"internal", "private", "public"})) << name;
    }
    EXPECT_EQ(project_kinds, (std::set<std::string>{"internal", "private", "public"})) << name;
  }
}

}  // namespace
}  // namespace provisio::sim

namespace provisio::sim {
namespace {

// Found by fuzz/world_file_fuzz.cpp: a world whose groups form a cycle was read, and the
// simulator then hung walking up the tree.
TEST(WorldFile, RefusesAGroupThatIsItsOwnAncestor) {
  for (const char* text :
       {R"({"groups":[{"id":1,"parent_id":1}]})",
        R"({"groups":[{"id":1},{"id":2,"parent_id":3},{"id":3,"parent_id":2}]})"}) {
    const auto world = parse_world(text);
    ASSERT_FALSE(world) << text;
    EXPECT_EQ(world.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(world.error().message.find("is its own ancestor"), std::string::npos)
        << world.error().message;
  }
  EXPECT_TRUE(parse_world(R"({"groups":[{"id":1},{"id":2,"parent_id":1}]})"));
}

// Found by fuzz/world_file_fuzz.cpp: an id of 1e66 was cast to an integer (undefined behaviour);
// an access level beyond an int wrapped around.
TEST(WorldFile, RefusesNumbersThatAreNotIntegersOrDoNotFit) {
  for (const char* text : {R"({"users":[{"id":1e66}]})", R"({"users":[{"id":1.5}]})",
                           R"({"users":[{"id":18446744073709551615}]})",
                           R"({"groups":[{"id":1}],"group_members":[{"group_id":1,
                                "members":[[1,4294967326]]}]})"}) {
    const auto world = parse_world(text);
    ASSERT_FALSE(world) << text;
    EXPECT_EQ(world.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(parse_world(R"({"users":[{"id":9223372036854775807}]})"));
}

}  // namespace
}  // namespace provisio::sim
