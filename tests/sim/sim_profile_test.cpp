// gitlab-sim's GitLab.com profile: GitLab.com's published rate limits
// (doc/user/gitlab_com/rate_limits.md), answered as GitLab answers them: the API's general limit
// with RateLimit-* headers on every answer, an endpoint's own limit with its own 429 body, a
// Retry-After of the limit's period and no RateLimit-* headers.

#include <gtest/gtest.h>

#include "sim_test_support.hpp"

namespace provisio::sim {
namespace {

using nlohmann::json;
using testing::call;
using testing::get;

constexpr const char* kWorld = R"({
 "users": [{"id":1,"username":"root","is_admin":true}],
 "groups": [{"id":1,"path":"top"}],
 "projects": [{"id":1,"path":"app","namespace_id":1}],
 "tokens": [{"id":1,"token":"admin","user_id":1,"scopes":["read_api"]}]
})";

std::unique_ptr<Simulator> profiled() {
  auto world = parse_world(kWorld);
  EXPECT_TRUE(world);
  SimulatorOptions options = testing::fixed_clock();
  auto faults = with_profile(options.faults, "gitlab.com");
  EXPECT_TRUE(faults);
  options.faults = *faults;
  return std::make_unique<Simulator>(std::move(*world), options);
}

TEST(GitlabComProfile, SingleGroupReadsAreLimitedTo400AMinute) {
  auto sim = profiled();
  const http::Router router = sim->router();
  for (int i = 0; i < 400; ++i) ASSERT_EQ(get(router, "/api/v4/groups/1", "admin").status, 200);
  const auto refused = get(router, "/api/v4/groups/1", "admin");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(
      refused.body,
      (json{{"message",
             {{"error", "This endpoint has been requested too many times. Try again later."}}}}));
  EXPECT_EQ(refused.header("retry-after"), "60");
  EXPECT_FALSE(refused.has("ratelimit-limit"));
  // Other endpoints are under the general limit only, and say so on every answer.
  const auto members = get(router, "/api/v4/groups/1/members", "admin");
  EXPECT_EQ(members.status, 200);
  EXPECT_EQ(members.header("ratelimit-limit"), "2000");
  EXPECT_EQ(members.header("ratelimit-observed"), "402");
  EXPECT_EQ(sim->faults().endpoint_throttled(),
            (std::map<std::string, std::int64_t>{{"GET /api/v4/groups/{id}", 1}}));
}

TEST(GitlabComProfile, TheGeneralLimitCountsGraphqlToo) {
  auto sim = profiled();
  const http::Router router = sim->router();
  const std::string body = R"({"query":"{ queryComplexity { score } }"})";
  for (int i = 0; i < 1999; ++i) {
    ASSERT_EQ(call(router, "POST", "/api/graphql", "admin", {}, body).status, 200) << i;
  }
  EXPECT_EQ(get(router, "/api/v4/groups/1/members", "admin").status, 200);
  const auto refused = get(router, "/api/v4/groups/1/members", "admin");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.raw, "Retry later\n");
  // The window is aligned on the minute, as Rack::Attack's: it ends at the next whole minute.
  EXPECT_EQ(refused.header("retry-after"), std::to_string(60 - testing::kNow % 60));
}

TEST(GitlabComProfile, MembersAllIsLimitedPerSource) {
  auto sim = profiled();
  const http::Router router = sim->router();
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(get(router, "/api/v4/projects/1/members/all", "admin").status, 200);
  }
  EXPECT_EQ(get(router, "/api/v4/projects/1/members/all", "admin").status, 429);
  EXPECT_EQ(get(router, "/api/v4/groups/1/members/all", "admin").status, 200);
}

}  // namespace
}  // namespace provisio::sim
