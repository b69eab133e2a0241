#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace provisio::http {
namespace {

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

HttpResponse text(std::string body) {
  HttpResponse r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

TEST(Router, CallsTheHandlerOfTheMatchingRoute) {
  Router router;
  router.add("GET", "/api/system/health", [](const HttpRequest&) { return text("health"); });
  router.add("GET", "/api/system/status", [](const HttpRequest&) { return text("status"); });
  EXPECT_EQ(router.handle(request("GET", "/api/system/status")).body, "status");
  EXPECT_EQ(router.handle(request("GET", "/api/system/health")).body, "health");
}

TEST(Router, PassesDecodedPathParameters) {
  Router router;
  router.add("PATCH", "/api/v2/dop-translation/gitlab-permission-mappings/{role}",
             [](const HttpRequest& r) { return text(r.path_params.at("role")); });
  const auto response = router.handle(
      request("PATCH", "/api/v2/dop-translation/gitlab-permission-mappings/my%20role"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "my role");
}

TEST(Router, MatchesSeveralParameters) {
  Router router;
  router.add("POST", "/a/{x}/b/{y}", [](const HttpRequest& r) {
    return text(r.path_params.at("x") + "," + r.path_params.at("y"));
  });
  EXPECT_EQ(router.handle(request("POST", "/a/1/b/2")).body, "1,2");
}

TEST(Router, ALiteralSegmentBeatsAParameterWhateverTheOrder) {
  Router router;
  router.add("GET", "/plan/{id}", [](const HttpRequest&) { return text("param"); });
  router.add("GET", "/plan/current", [](const HttpRequest&) { return text("literal"); });
  EXPECT_EQ(router.handle(request("GET", "/plan/current")).body, "literal");
  EXPECT_EQ(router.handle(request("GET", "/plan/42")).body, "param");
}

TEST(Router, AParameterDoesNotMatchAnEmptyOrMissingSegment) {
  Router router;
  router.add("GET", "/users/{id}", [](const HttpRequest&) { return text("user"); });
  EXPECT_EQ(router.handle(request("GET", "/users/")).status, 404);
  EXPECT_EQ(router.handle(request("GET", "/users")).status, 404);
  EXPECT_EQ(router.handle(request("GET", "/users/1/extra")).status, 404);
}

TEST(Router, UnknownPathIs404WithAJsonError) {
  Router router;
  router.add("GET", "/api/system/health", [](const HttpRequest&) { return text("ok"); });
  const auto v1 = router.handle(request("GET", "/api/nothing"));
  EXPECT_EQ(v1.status, 404);
  EXPECT_EQ(v1.content_type, "application/json");
  EXPECT_EQ(v1.body, R"({"errors":[{"msg":"Unknown URL."}]})");
  const auto v2 = router.handle(request("GET", "/api/v2/nothing"));
  EXPECT_EQ(v2.status, 404);
  EXPECT_EQ(v2.body, R"({"message":"Unknown URL."})");
}

TEST(Router, TrailingSlashIsAnotherPath) {
  Router router;
  router.add("GET", "/api/system/health", [](const HttpRequest&) { return text("ok"); });
  EXPECT_EQ(router.handle(request("GET", "/api/system/health/")).status, 404);
}

TEST(Router, KnownPathWithAnotherMethodIs405WithAllow) {
  Router router;
  router.add("GET", "/api/v2/users-management/users", [](const HttpRequest&) { return text(""); });
  router.add("POST", "/api/v2/users-management/users", [](const HttpRequest&) { return text(""); });
  const auto response = router.handle(request("DELETE", "/api/v2/users-management/users"));
  EXPECT_EQ(response.status, 405);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "GET, POST");
  EXPECT_EQ(response.body, R"({"message":"Method not allowed."})");
}

TEST(Router, TheFallbackAnswersOnlyPathsNoRouteMatches) {
  Router router;
  router.add("GET", "/api/system/health", [](const HttpRequest&) { return text("route"); });
  router.add("POST", "/api/authentication/login", [](const HttpRequest&) { return text("route"); });
  router.set_fallback([](const HttpRequest&) { return text("fallback"); });
  EXPECT_EQ(router.handle(request("GET", "/api/system/health")).body, "route");
  EXPECT_EQ(router.handle(request("GET", "/login")).body, "fallback");
  // A known path keeps its 405: the fallback does not hide a wrong method.
  EXPECT_EQ(router.handle(request("GET", "/api/authentication/login")).status, 405);
  router.set_fallback([](const HttpRequest&) -> HttpResponse { throw std::runtime_error("x"); });
  EXPECT_EQ(router.handle(request("GET", "/login")).status, 500);
}

TEST(Router, AThrowingHandlerGivesAGeneric500WithoutTheExceptionText) {
  Router router;
  router.add("GET", "/boom", [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("password=hunter2");
  });
  router.add("GET", "/odd", [](const HttpRequest&) -> HttpResponse { throw 42; });
  const auto response = router.handle(request("GET", "/boom"));
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("hunter2"), std::string::npos);
  EXPECT_EQ(response.body, R"({"errors":[{"msg":"An internal error occurred."}]})");
  EXPECT_EQ(router.handle(request("GET", "/odd")).status, 500);
}

TEST(Router, HandlerSeesQueryHeadersAndBody) {
  Router router;
  router.add("POST", "/echo", [](const HttpRequest& r) {
    return text(std::string(r.query_param("q").value_or("-")) + "|" +
                std::string(r.header("X-Token").value_or("-")) + "|" + r.body);
  });
  HttpRequest r = request("POST", "/echo");
  r.query["q"] = "a b";
  r.headers["x-token"] = "t";
  r.body = "payload";
  EXPECT_EQ(router.handle(r).body, "a b|t|payload");
}

}  // namespace
}  // namespace provisio::http
