// The GitLab client's GraphQL: the complexity it gives a query (GitLab's rule, worked out here by
// hand), and the member reader against a scripted GitLab: sources answered, sources missing,
// errors on one source, a refusal for complexity, a GitLab without GraphQL.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gitlab/client.hpp"
#include "gitlab/graphql_members.hpp"
#include "gitlab/graphql_query.hpp"
#include "scripted_transport.hpp"

namespace provisio::gitlab {
namespace {

using nlohmann::json;
using testing::json_answer;
using testing::ScriptedTransport;
namespace gq = graphql;

TEST(GraphqlQuery, ScoresWithGitLabsRule) {
  // { groups(ids: $v, first: 100) { nodes { id groupMembers(first: 100) { pageInfo { hasNextPage
  // endCursor } nodes { accessLevel { integerValue } expiresAt user { id username name state } } }
  // } pageInfo { hasNextPage endCursor } } }
  const gq::Field members{
      "",
      "groupMembers",
      "relations: [DIRECT], first: 100",
      gq::Field::Kind::kConnection,
      100,
      false,
      {gq::object("pageInfo", {gq::leaf("hasNextPage"), gq::leaf("endCursor")}),
       gq::object("nodes",
                  {gq::object("accessLevel", {gq::leaf("integerValue")}), gq::leaf("expiresAt"),
                   gq::object("user", {gq::leaf("id"), gq::leaf("username"), gq::leaf("name"),
                                       gq::leaf("state")})})}};
  // nodes: 1 + (2 + 1 + 5) = 9; pageInfo 3; (12 + 1) x (1 + 100 x 0.01) = 26.
  EXPECT_EQ(members.complexity(), 26);
  gq::Field groups{"a0",
                   "groups",
                   "ids: $v0, first: 100",
                   gq::Field::Kind::kConnection,
                   100,
                   true,
                   {gq::object("nodes", {gq::leaf("id"), members}),
                    gq::object("pageInfo", {gq::leaf("hasNextPage"), gq::leaf("endCursor")})}};
  // nodes 1 + 1 + 26 = 28; pageInfo 3; (31 + 1 + 1 for the defaulted sort) x 2 = 66.
  EXPECT_EQ(groups.complexity(), 66);
  // The same field for one source's next page: first 1 multiplies by 1.01, truncated.
  groups.first = 1;
  groups.selections.pop_back();
  EXPECT_EQ(groups.complexity(), 30);  // (28 + 1 + 1) x 1.01 = 30.3
  gq::Query q{"$v0: [ID!]", {groups}};
  EXPECT_EQ(q.complexity(), 30);
  EXPECT_EQ(q.text().rfind("query($v0: [ID!]) { a0: groups(ids: $v0, first: 100) { nodes { id "
                           "groupMembers(relations: [DIRECT], first: 100) {",
                           0),
            0u)
      << q.text();
}

// A GitLab that answers GraphQL from `answer(query, variables)`.
struct FakeGitlab {
  ManualClock clock{0};
  std::function<TransportResponse(const json& body)> answer;
  std::vector<json> bodies;
  ScriptedTransport transport{clock, [this](const TransportRequest& r) {
                                EXPECT_EQ(r.method, "POST");
                                EXPECT_NE(r.url.find("/api/graphql"), std::string::npos);
                                bodies.push_back(json::parse(r.body));
                                return answer(bodies.back());
                              }};
  SeededRandom random{1};
  Client client{[] {
                  ClientOptions o;
                  o.base_url = "https://gitlab.example.com";
                  o.token = "t";
                  o.engine.backoff_base_ms = 1;
                  return o;
                }(),
                transport, random};
};

json member(gl::Id user, int level, const char* expires = nullptr) {
  return {{"accessLevel", {{"integerValue", level}}},
          {"expiresAt", expires ? json(expires) : json()},
          {"user",
           {{"id", "gid://gitlab/User/" + std::to_string(user)},
            {"username", "u" + std::to_string(user)},
            {"name", "U " + std::to_string(user)},
            {"state", "active"}}}};
}

json page(std::vector<json> nodes, bool more = false) {
  return {{"pageInfo", {{"hasNextPage", more}, {"endCursor", more ? json("c1") : json()}}},
          {"nodes", std::move(nodes)}};
}

TEST(GraphqlMembers, ReadsEachSourcesListAndFollowsItsPages) {
  FakeGitlab gitlab;
  gitlab.answer = [&](const json& body) {
    const std::string query = body["query"];
    if (body["variables"].contains("c0")) {
      // The next page of group 7.
      EXPECT_EQ(body["variables"]["v0"], json::array({"gid://gitlab/Group/7"}));
      EXPECT_EQ(body["variables"]["c0"], "c1");
      return json_answer(json{
          {"data",
           {{"a0",
             {{"nodes",
               {{{"id", "gid://gitlab/Group/7"}, {"groupMembers", page({member(3, 20)})}}}}}}}}}
                             .dump());
    }
    // Group 9 is not answered (not visible): it is left to REST.
    return json_answer(
        json{{"data",
              {{"a0",
                {{"nodes",
                  {{{"id", "gid://gitlab/Group/7"},
                    {"groupMembers", page({member(2, 50), member(1, 30, "2026-11-28")}, true)}}}},
                 {"pageInfo", {{"hasNextPage", false}, {"endCursor", nullptr}}}}}}}}
            .dump());
  };
  auto read = read_members_graphql(gitlab.client, {7, 9}, {});
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->groups.count(7), 1u);
  const auto& members = read->groups.at(7);
  ASSERT_EQ(members.size(), 3u);
  // Sorted by user, fields as REST gives them (no email, no custom role).
  EXPECT_EQ(members[0].user_id, 1);
  EXPECT_EQ(members[0].access_level, 30);
  EXPECT_EQ(members[0].expires_at, "2026-11-28");
  EXPECT_EQ(members[0].username, "u1");
  EXPECT_EQ(members[0].name, "U 1");
  EXPECT_EQ(members[0].state, "active");
  EXPECT_FALSE(members[0].email);
  EXPECT_FALSE(members[0].member_role);
  EXPECT_EQ(members[2].user_id, 3);
  EXPECT_EQ(read->unanswered_groups, std::vector<gl::Id>{9});
  EXPECT_EQ(read->requests, 2);
}

TEST(GraphqlMembers, AnErrorOnOneSourceLeavesItToRest) {
  FakeGitlab gitlab;
  gitlab.answer = [&](const json&) {
    return json_answer(
        json{{"errors", {{{"message", "boom"}, {"path", {"a0", "nodes", 1, "projectMembers"}}}}},
             {"data",
              {{"a0",
                {{"nodes",
                  {{{"id", "gid://gitlab/Project/4"}, {"projectMembers", page({member(5, 10)})}},
                   {{"id", "gid://gitlab/Project/6"}, {"projectMembers", nullptr}}}}}}}}}
            .dump());
  };
  auto read = read_members_graphql(gitlab.client, {}, {4, 6});
  ASSERT_TRUE(read);
  EXPECT_EQ(read->projects.size(), 1u);
  EXPECT_EQ(read->projects.at(4).size(), 1u);
  EXPECT_EQ(read->unanswered_projects, std::vector<gl::Id>{6});
}

// What errors.cpp makes of GitLab's 422 for a query text past its size limit is what the member
// reader and the share probe split on; other failures are not.
TEST(GraphqlQuery, A422IsAQueryTooLargeAndNoOtherFailureIs) {
  const auto failure = [](int status) {
    return classify_failure(json_answer(R"({"errors":[{"message":"Query too large"}]})", status),
                            "https://gitlab.test/api/graphql",
                            Subject{"the members of 422 GitLab groups and projects"});
  };
  EXPECT_TRUE(gq::query_too_large(failure(422)));
  for (const int status : {400, 404, 409, 413, 500, 502}) {
    EXPECT_FALSE(gq::query_too_large(failure(status))) << status;
  }
}

TEST(GraphqlMembers, ARefusalForComplexityIsSplitNotFailed) {
  FakeGitlab gitlab;
  int refused = 0;
  gitlab.answer = [&](const json& body) {
    const json& vars = body["variables"];
    // GitLab accepts one field per request here (its limit is lower than ours).
    if (vars.contains("v1")) {
      ++refused;
      return json_answer(
          R"({"errors":[{"message":"Query has complexity of 132, which exceeds max complexity of 100"}]})");
    }
    json nodes = json::array();
    for (const json& id : vars["v0"]) nodes.push_back({{"id", id}, {"groupMembers", page({})}});
    return json_answer(json{{"data", {{"a0", {{"nodes", nodes}}}}}}.dump());
  };
  GraphqlMembersOptions options;
  options.sources_per_field = 2;
  auto read = read_members_graphql(gitlab.client, {1, 2, 3, 4, 5}, {}, options);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->groups.size(), 5u);
  EXPECT_TRUE(read->unanswered_groups.empty());
  EXPECT_GT(refused, 0);
}

TEST(GraphqlMembers, NoGraphqlApiIsAnErrorForTheCallerToFallBackOn) {
  FakeGitlab gitlab;
  gitlab.answer = [](const json&) { return json_answer(R"({"error":"404 Not Found"})", 404); };
  auto read = read_members_graphql(gitlab.client, {1}, {});
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
}

TEST(GraphqlMembers, AnswersThatAreNotGraphqlAreRefusedWithoutCrashing) {
  for (
      const char* body :
      {"[]", "{}", R"({"data":null})", R"({"data":{"a0":[1,2]}})",
       R"({"data":{"a0":{"nodes":[{"id":7}]}}})",
       R"({"data":{"a0":{"nodes":[{"id":"gid://gitlab/Group/1","groupMembers":{"nodes":[{"user":{"id":"x"}}]}}]}}})"}) {
    FakeGitlab gitlab;
    gitlab.answer = [&](const json&) { return json_answer(body); };
    auto read = read_members_graphql(gitlab.client, {1}, {});
    // Either an error for the caller, or group 1 left to REST: never a list made up.
    if (read) {
      EXPECT_EQ(read->groups.count(1), 0u) << body;
      EXPECT_EQ(read->unanswered_groups, std::vector<gl::Id>{1}) << body;
    }
  }
}

}  // namespace
}  // namespace provisio::gitlab
