// Bad input is a 4xx naming what is wrong, never a 500, and the server keeps serving.
#include "api_fixture.hpp"

namespace provisio::api_test {
namespace {

// Fills a route's `{param}` segments with `value`.
std::string fill(const std::string& pattern, const std::string& value) {
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      out += value;
      i = pattern.find('}', i) + 1;
    } else {
      out.push_back(pattern[i++]);
    }
  }
  return out;
}

}  // namespace

TEST_P(ApiTest, EveryRouteAnswersMalformedInputWith4xxAndTheServerStaysUp) {
  make_unmanaged_instance();
  const std::vector<std::string> bodies = {"{",
                                           "[]",
                                           "\"text\"",
                                           std::string("{\"name\":\"\xff\xfe\"}"),
                                           "\xff\xfe",
                                           "null",
                                           "{\"unknownField\":1}",
                                           "{\"name\":12,\"login\":[],\"role\":{}}",
                                           "%zz=%",
                                           "login=%ff&password=%fe",
                                           std::string(70 * 1024, 'x')};
  const std::vector<std::string> queries = {"?pageSize=abc",
                                            "?pageIndex=-1",
                                            "?pageSize=100000",
                                            "?p=x&ps=-3",
                                            "?status=BOGUS",
                                            "?type=NOPE",
                                            "?active=maybe",
                                            "?id=%ff",
                                            "?q=%zz",
                                            "?managed=1",
                                            "?projectKey=nope&permission=bogus",
                                            "?since=yesterday",
                                            "?login=%C0%AF"};
  const std::vector<std::string> ids = {"nope", "%ff%fe", "..", "x:y", std::string(300, 'a')};
  for (const http::ApiRoute& route : http::api_routes(*context_)) {
    for (const std::string& id : ids) {
      const std::string target = fill(route.pattern, id);
      for (const std::string& body : bodies) {
        for (const char* type :
             {"application/json", "application/x-www-form-urlencoded", "text/plain"}) {
          const auto r = call(As::kAdmin, route.method, target, body, {{"Content-Type", type}});
          EXPECT_LT(r.status, 500)
              << route.method << " " << target << " body " << body.substr(0, 40) << ": " << r.body;
          // A route that reads a body refuses bodies it cannot read.
          const bool reads_body = (route.method == "POST" || route.method == "PATCH") &&
                                  route.pattern != "/api/authentication/logout" &&
                                  route.pattern.find("synchronization-runs") == std::string::npos;
          if (reads_body) {
            EXPECT_GE(r.status, 400) << route.method << " " << target << " body "
                                     << body.substr(0, 40) << ": " << r.body;
          }
        }
      }
      if (route.pattern.find('{') == std::string::npos) break;  // one target is enough
    }
    for (const std::string& query : queries) {
      const auto r = call(As::kAdmin, route.method, fill(route.pattern, "nope") + query);
      EXPECT_LT(r.status, 500) << route.method << " " << route.pattern << query << ": " << r.body;
    }
  }
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/system/health").status, 200);
}

TEST_P(ApiTest, MessagesNameTheFieldThatIsWrong) {
  const std::string users = "/api/v2/users-management/users";
  const auto expect_400_naming = [&](const ClientResponse& r, const std::string& field) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(message(r).find(field), std::string::npos) << r.body;
  };
  expect_400_naming(
      call(As::kAdmin, "POST", users, "{\"login\":", {{"Content-Type", "application/json"}}),
      "not valid JSON");
  expect_400_naming(
      json_call(As::kAdmin, "POST", users, {{"login", 5}, {"name", "n"}, {"password", "p"}}),
      "'login'");
  expect_400_naming(
      json_call(As::kAdmin, "POST", users, {{"name", "n"}, {"password", "long-password-1"}}),
      "'login'");
  expect_400_naming(
      json_call(As::kAdmin, "POST", users,
                {{"login", "x1"}, {"name", "n"}, {"password", "long-password-1"}, {"nmae", 1}}),
      "'nmae'");
  expect_400_naming(
      call(
          As::kAdmin, "POST", users,
          std::string("{\"login\":\"ab\xc3\x28\",\"name\":\"n\",\"password\":\"long-password-1\"}"),
          {{"Content-Type", "application/json"}}),
      "'login' is not valid UTF-8");
  expect_400_naming(
      json_call(As::kAdmin, "POST", "/api/v2/dop-translation/gitlab-permission-mappings",
                {{"role", "r"}, {"permissions", {{"user", "yes"}}}}),
      "'permissions.user'");
  expect_400_naming(
      json_call(As::kAdmin, "POST", "/api/v2/dop-translation/gitlab-permission-mappings",
                {{"role", "r"}, {"permissions", {{"deploy", true}}}}),
      "'permissions.deploy'");
  expect_400_naming(form_call(As::kAdmin, "/api/projects/create", "project=k&name=%ff"), "'name'");
  expect_400_naming(
      form_call(As::kAdmin, "/api/projects/create", "project=k&name=n&visibility=secret"),
      "'visibility'");
  expect_400_naming(
      form_call(As::kAdmin, "/api/permissions/add_user", "login=plain&permission=root"),
      "'permission'");
  expect_400_naming(call(As::kAdmin, "GET", users + "?pageSize=0"), "'pageSize'");
  expect_400_naming(call(As::kAdmin, "GET", "/api/ce/activity?ps=5000"), "'ps'");
  expect_400_naming(call(As::kAdmin, "GET", users + "?q=%ff"), "'q'");
  expect_400_naming(call(As::kAdmin, "POST", "/api/projects/create", "{\"project\":\"k\"}",
                         {{"Content-Type", "application/json"}}),
                    "form-encoded");
  const auto too_large = call(As::kAdmin, "POST", users, std::string(70 * 1024, ' '),
                              {{"Content-Type", "application/json"}});
  EXPECT_EQ(too_large.status, 413);
}

}  // namespace provisio::api_test
