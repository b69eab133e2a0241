#include "http/system_handlers.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/version.hpp"

namespace provisio::http {
namespace {

HttpResponse get(const Router& router, std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  return router.handle(r);
}

TEST(SystemHandlers, HealthIsGreen) {
  Router router;
  add_system_routes(router, SystemInfo{});
  const auto r = get(router, "/api/system/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"health":"GREEN","causes":[]})"));
}

TEST(SystemHandlers, StatusNamesIdVersionAndUp) {
  Router router;
  add_system_routes(router, SystemInfo{"node-1"});
  const auto r = get(router, "/api/system/status");
  EXPECT_EQ(r.status, 200);
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body.at("id"), "node-1");
  EXPECT_EQ(body.at("version"), PROVISIO_TEST_VERSION);
  EXPECT_EQ(body.at("status"), "UP");
  EXPECT_EQ(server_version(), PROVISIO_TEST_VERSION);
  // In the documented order.
  EXPECT_EQ(r.body, std::string(R"({"id":"node-1","version":")") + PROVISIO_TEST_VERSION +
                        R"(","status":"UP"})");
}

}  // namespace
}  // namespace provisio::http
