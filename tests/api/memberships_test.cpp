// GET /api/v2/authorizations/group-memberships: a page of memberships, by group, by user or all,
// read a page at a time from the database (a large instance has millions).
#include "api_fixture.hpp"

namespace provisio::api_test {
namespace {

const std::string kMemberships = "/api/v2/authorizations/group-memberships";

std::vector<std::pair<std::string, std::string>> pairs_of(const json& page) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const json& m : page["groupMemberships"]) {
    out.emplace_back(m["groupId"].get<std::string>(), m["userId"].get<std::string>());
  }
  return out;
}

}  // namespace

TEST_P(ApiTest, ListsMembershipsByGroupByUserAndByPage) {
  const User ann = make_local_user("ann", "ann-password-1");
  const User ben = make_local_user("ben", "ben-password-1");
  const Group team = make_group("team");
  ASSERT_TRUE(store_->add_membership(team.id, ben.id));
  ASSERT_TRUE(store_->add_membership(team.id, ann.id));

  const auto get = [&](const std::string& query) {
    const ClientResponse r = call(As::kAdmin, "GET", kMemberships + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return json::parse(r.body);
  };
  const json of_team = get("?groupId=" + team.uuid);
  EXPECT_EQ(of_team["page"]["total"], 2);
  EXPECT_EQ(pairs_of(of_team),
            (std::vector<std::pair<std::string, std::string>>{{team.uuid, ann.uuid},
                                                              {team.uuid, ben.uuid}}));
  const json of_ben = get("?userId=" + ben.uuid);
  ASSERT_EQ(of_ben["groupMemberships"].size(), 2u);  // sonar-users and team
  EXPECT_EQ(of_ben["groupMemberships"][1]["groupId"], team.uuid);
  EXPECT_EQ(get("?groupId=" + team.uuid + "&userId=" + ann.uuid)["page"]["total"], 1);

  // Everyone's, a page of 2 at a time: the total counts them all, pages do not overlap.
  const json first = get("?pageSize=2&pageIndex=1");
  const json second = get("?pageSize=2&pageIndex=2");
  const std::int64_t total = first["page"]["total"].get<std::int64_t>();
  EXPECT_GE(total, 6);  // admin, plain, ann, ben in sonar-users; ann and ben in team
  ASSERT_EQ(first["groupMemberships"].size(), 2u);
  ASSERT_EQ(second["groupMemberships"].size(), 2u);
  EXPECT_NE(pairs_of(first), pairs_of(second));

  EXPECT_EQ(call(As::kAdmin, "GET", kMemberships + "?groupId=no-such-group").status, 404);
}

}  // namespace provisio::api_test
