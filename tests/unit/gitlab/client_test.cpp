// The GitLab client against a scripted transport and a simulated clock: pagination, parallel
// pages and listings, rate limits, retries, and the error for each failure.
#include "gitlab/client.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scripted_transport.hpp"

namespace provisio::gitlab {
namespace {

using testing::api_target;
using testing::json_answer;
using testing::query_param;
using testing::ScriptedTransport;

// One page of a listing of `total` members, as GitLab sends it (CONTRACT.md §1).
TransportResponse members_page(int total, int page, int per_page, bool with_totals) {
  nlohmann::json items = nlohmann::json::array();
  for (int i = (page - 1) * per_page; i < std::min(total, page * per_page); ++i) {
    items.push_back({{"id", i + 1},
                     {"username", "u" + std::to_string(i + 1)},
                     {"name", "U"},
                     {"state", "active"},
                     {"access_level", 30},
                     {"expires_at", nullptr}});
  }
  const int pages = std::max(1, (total + per_page - 1) / per_page);
  std::map<std::string, std::string> h = {
      {"x-page", std::to_string(page)},
      {"x-per-page", std::to_string(per_page)},
      {"x-next-page", page < pages ? std::to_string(page + 1) : ""},
      {"x-prev-page", page > 1 ? std::to_string(page - 1) : ""}};
  if (with_totals) {
    h["x-total"] = std::to_string(total);
    h["x-total-pages"] = std::to_string(pages);
  }
  return json_answer(items.dump(), 200, h);
}

int page_of(const TransportRequest& r) { return std::stoi(query_param(r, "page")); }

class ClientTest : public ::testing::Test {
 protected:
  Client make(ScriptedTransport& t, EngineOptions engine = {}) {
    ClientOptions o;
    o.base_url = "https://gitlab.test/";
    o.token = "glpat-secret";
    o.engine = engine;
    return Client(o, t, random_);
  }
  ManualClock clock_{1'000'000};
  SeededRandom random_{42};
};

TEST_F(ClientTest, FollowsPagesWithoutTotalsToTheEnd) {
  ScriptedTransport t(clock_, [](const TransportRequest& r) {
    return members_page(250, page_of(r), 100, /*with_totals=*/false);
  });
  auto client = make(t);
  auto members = client.group_members({7});
  ASSERT_TRUE(members) << members.error().message;
  ASSERT_EQ(members->at(7).size(), 250u);
  EXPECT_EQ(members->at(7).front().user_id, 1);
  EXPECT_EQ(members->at(7).back().user_id, 250);
  // Pages 1-3 hold data; the look-ahead may have asked a few empty pages past the end.
  EXPECT_GE(t.log().size(), 3u);
  EXPECT_LE(t.log().size(), 3u + 8u);
  EXPECT_EQ(query_param(t.log().front().request, "per_page"), "100");
  EXPECT_EQ(api_target(t.log().front().request).rfind("/groups/7/members?", 0), 0u);
}

TEST_F(ClientTest, FetchesThePagesOfOneListingInParallelOnceTheTotalIsKnown) {
  ScriptedTransport t(clock_, [](const TransportRequest& r) {
    return members_page(1000, page_of(r), 100, /*with_totals=*/true);
  });
  auto client = make(t);
  const Millis start = clock_.now();
  auto members = client.group_members({1});
  ASSERT_TRUE(members);
  EXPECT_EQ(members->at(1).size(), 1000u);
  EXPECT_EQ(t.log().size(), 10u);  // exactly the pages: no page read twice, none wasted
  EXPECT_EQ(t.max_in_flight(), 9u);
  EXPECT_EQ(clock_.now() - start, 40);  // two round trips of 20 ms: page 1, then pages 2-10
}

// Found by fuzz/gitlab_client_fuzz.cpp: a total far beyond what GitLab gives (it gives none
// above 10,000 records) made the client queue a request for every page it announced.
TEST_F(ClientTest, RequestsAtMostAHundredPagesAheadWhateverTheTotalSays) {
  ScriptedTransport t(clock_, [](const TransportRequest& r) {
    TransportResponse page = members_page(250, page_of(r), 100, /*with_totals=*/true);
    page.headers["x-total-pages"] = "100000";  // up to 2147483647 in the fuzzer's input
    return page;
  });
  auto client = make(t);
  auto members = client.group_members({1});
  ASSERT_TRUE(members);
  EXPECT_EQ(members->at(1).size(), 250u);
  EXPECT_LE(t.log().size(), 3u + 100u);  // the 3 pages, then at most 100 ahead of the last read
}

TEST_F(ClientTest, ReadsListingsOfManyGroupsSideBySide) {
  ScriptedTransport t(
      clock_, [](const TransportRequest& r) { return members_page(30, page_of(r), 100, true); });
  auto client = make(t);
  std::vector<gl::Id> ids;
  for (int i = 1; i <= 32; ++i) ids.push_back(i);
  const Millis start = clock_.now();
  auto members = client.group_members(ids);
  ASSERT_TRUE(members);
  EXPECT_EQ(members->size(), 32u);
  EXPECT_EQ(t.log().size(), 32u);
  EXPECT_EQ(t.max_in_flight(), 16u);    // the default concurrency
  EXPECT_EQ(clock_.now() - start, 40);  // 32 requests, 16 at a time, 20 ms each
  EXPECT_EQ(client.counters().requests_to("/groups/:id/members"), 32);
}

TEST_F(ClientTest, WaitsAsToldOn429AndThenSucceeds) {
  int calls = 0;
  ScriptedTransport t(clock_, [&](const TransportRequest& r) {
    if (++calls == 1) {
      return json_answer("Retry later", 429, {{"retry-after", "3"}, {"ratelimit-limit", "600"}});
    }
    return members_page(5, page_of(r), 100, true);
  });
  auto client = make(t);
  auto members = client.group_members({1});
  ASSERT_TRUE(members) << members.error().message;
  ASSERT_EQ(t.log().size(), 2u);
  EXPECT_GE(t.log()[1].at - t.log()[0].at, 20 + 3'000);  // the answer's latency, then 3 s
  EXPECT_EQ(client.counters().throttled, 1);
  EXPECT_GE(client.counters().rate_limit_wait_ms, 2'900);
}

TEST_F(ClientTest, PacesBeforeTheLimitThatGitlabAnnounces) {
  // 60 requests per minute announced; at a 0.5 share we allow ourselves one every 2 s.
  ScriptedTransport t(clock_, [](const TransportRequest& r) {
    auto a = members_page(5, page_of(r), 100, true);
    a.headers["ratelimit-limit"] = "60";
    a.headers["ratelimit-remaining"] = "50";
    return a;
  });
  EngineOptions engine;
  engine.rate_limit_share = 0.5;
  auto client = make(t, engine);
  std::vector<gl::Id> ids;
  for (int i = 1; i <= 6; ++i) ids.push_back(i);
  auto members = client.group_members(ids);
  ASSERT_TRUE(members);
  // The first six start before any answer tells the limit; from then on, wait.
  auto again = client.group_members(ids);
  ASSERT_TRUE(again);
  const auto& log = t.log();
  ASSERT_EQ(log.size(), 12u);
  for (std::size_t i = 7; i < log.size(); ++i) {
    EXPECT_GE(log[i].at - log[i - 1].at, 1'999) << "request " << i;
  }
  EXPECT_GT(client.counters().rate_limit_wait_ms, 0);
}

TEST_F(ClientTest, HoldsBackWhenNoRequestRemainsUntilTheReset) {
  int calls = 0;
  ScriptedTransport t(clock_, [&](const TransportRequest& r) {
    auto a = members_page(5, page_of(r), 100, true);
    if (++calls == 1) {
      a.headers["ratelimit-remaining"] = "0";
      a.headers["ratelimit-reset"] = std::to_string((1'000'000 + 10'000) / 1'000);
    }
    return a;
  });
  auto client = make(t);
  ASSERT_TRUE(client.group_members({1}));
  ASSERT_TRUE(client.group_members({2}));
  EXPECT_GE(t.log()[1].at, 1'010'000);
}

TEST_F(ClientTest, RetriesA5xxThenSucceeds) {
  int calls = 0;
  ScriptedTransport t(clock_, [&](const TransportRequest& r) {
    if (++calls <= 2) return json_answer("<html>bad gateway</html>", calls == 1 ? 502 : 500);
    return members_page(5, page_of(r), 100, true);
  });
  auto client = make(t);
  auto members = client.group_members({1});
  ASSERT_TRUE(members) << members.error().message;
  EXPECT_EQ(members->at(1).size(), 5u);
  EXPECT_EQ(client.counters().retries, 2);
  EXPECT_EQ(client.counters().requests.at("/groups/:id/members").at(502), 1);
}

TEST_F(ClientTest, RetriesTimeoutsAndBrokenConnections) {
  int calls = 0;
  ScriptedTransport t(clock_, [&](const TransportRequest& r) {
    ++calls;
    if (calls <= 2) {
      TransportResponse broken;
      broken.failure = calls == 1 ? TransportFailure::kTimeout : TransportFailure::kConnection;
      broken.failure_detail = "simulated";
      return broken;
    }
    return members_page(5, page_of(r), 100, true);
  });
  auto client = make(t);
  EXPECT_TRUE(client.group_members({1}));
  EXPECT_EQ(client.counters().retries, 2);
}

TEST_F(ClientTest, GivesUpAfterTheLastAttempt) {
  ScriptedTransport t(clock_, [](const TransportRequest&) { return json_answer("", 503); });
  auto client = make(t);
  auto members = client.group_members({1});
  ASSERT_FALSE(members);
  EXPECT_EQ(members.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(members.error().message.find("503"), std::string::npos);
  EXPECT_NE(members.error().message.find("Gave up after 5 attempts"), std::string::npos);
  EXPECT_EQ(t.log().size(), 5u);
}

TEST_F(ClientTest, MalformedJsonIsRetriedThenAnError) {
  ScriptedTransport t(clock_, [](const TransportRequest&) {
    return json_answer("[{\"id\": 1, \"access_le", 200, {{"x-next-page", ""}});
  });
  auto client = make(t);
  auto members = client.group_members({1});
  ASSERT_FALSE(members);
  EXPECT_EQ(members.error().code, ErrorCode::kInvalidResponse);
  EXPECT_NE(members.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(t.log().size(), 5u);
}

TEST_F(ClientTest, ARedirectIsAnErrorNamingTheUrl) {
  ScriptedTransport t(clock_, [](const TransportRequest&) {
    return json_answer("", 301, {{"location", "https://gitlab.test/users/sign_in"}});
  });
  auto client = make(t);
  auto group = client.group("acme");
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().code, ErrorCode::kInvalidResponse);
  EXPECT_NE(group.error().message.find("https://gitlab.test/api/v4/groups/acme"),
            std::string::npos);
  EXPECT_NE(group.error().message.find("users/sign_in"), std::string::npos);
  EXPECT_EQ(t.log().size(), 1u);  // never retried
}

struct TokenCase {
  int status;
  std::string body;
  ErrorCode code;
  std::string says;
};

TEST_F(ClientTest, EachTokenProblemHasItsOwnMessage) {
  const std::vector<TokenCase> cases = {
      {401,
       R"({"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."})",
       ErrorCode::kUnauthenticated, "expired"},
      {401,
       R"({"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."})",
       ErrorCode::kUnauthenticated, "revoked"},
      {401, R"({"message":"401 Unauthorized"})", ErrorCode::kUnauthenticated, "invalid or unknown"},
      {403,
       R"({"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"read_api"})",
       ErrorCode::kPermissionDenied, "read_api"},
  };
  for (const TokenCase& c : cases) {
    ScriptedTransport t(clock_,
                        [&](const TransportRequest&) { return json_answer(c.body, c.status); });
    auto client = make(t);
    auto self = client.token_self();
    ASSERT_FALSE(self);
    EXPECT_EQ(self.error().code, c.code) << c.body;
    EXPECT_NE(self.error().message.find(c.says), std::string::npos) << self.error().message;
    EXPECT_EQ(self.error().message.find("glpat-secret"), std::string::npos);
    EXPECT_EQ(t.log().size(), 1u);  // 4xx are never retried
  }
}

TEST_F(ClientTest, AGroupThatIsNotFoundIsNamed) {
  ScriptedTransport t(clock_, [](const TransportRequest&) {
    return json_answer(R"({"message":"404 Group Not Found"})", 404);
  });
  auto client = make(t);
  auto group = client.group("acme/platform");
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().code, ErrorCode::kNotFound);
  EXPECT_NE(group.error().message.find("'acme/platform'"), std::string::npos);
  EXPECT_EQ(api_target(t.log()[0].request), "/groups/acme%2Fplatform?with_projects=false");
}

TEST_F(ClientTest, OneFailedListingFailsTheWholeReadInsteadOfLookingEmpty) {
  ScriptedTransport t(clock_, [](const TransportRequest& r) {
    if (api_target(r).rfind("/groups/3/", 0) == 0) {
      return json_answer(R"({"message":"403 Forbidden"})", 403);
    }
    return members_page(150, page_of(r), 100, true);
  });
  auto client = make(t);
  auto members = client.group_members({1, 2, 3, 4});
  ASSERT_FALSE(members);
  EXPECT_EQ(members.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(members.error().message.find("group 3"), std::string::npos);
}

TEST_F(ClientTest, SendsTheTokenInTheRightHeader) {
  ScriptedTransport t(clock_, [](const TransportRequest&) {
    return json_answer(R"({"id": 5, "username": "alice", "name": "Alice", "state": "active"})");
  });
  ClientOptions o;
  o.base_url = "https://gitlab.test";
  o.token = "oauth-token";
  o.token_kind = TokenKind::kOAuth;
  Client client(o, t, random_);
  auto me = client.current_user();
  ASSERT_TRUE(me);
  EXPECT_EQ(me->username, "alice");
  const auto& headers = t.log()[0].request.headers;
  EXPECT_NE(std::find(headers.begin(), headers.end(),
                      std::pair<std::string, std::string>("Authorization", "Bearer oauth-token")),
            headers.end());
}

}  // namespace
}  // namespace provisio::gitlab
