// The OpenAPI document documents exactly the routes of the table, with their access rule.
#include "http/openapi.hpp"

#include <set>

#include "api_fixture.hpp"

namespace provisio::api_test {

TEST_P(ApiTest, TheOpenApiDocumentMatchesTheRouteTable) {
  auto served = call(As::kAnonymous, "GET", "/api/v2/openapi.json");
  ASSERT_EQ(served.status, 200);
  const json doc = json::parse(served.body);
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.", 0), 0u);
  std::set<std::string> documented;
  for (const auto& [path, operations] : doc["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
      EXPECT_TRUE(operation.contains("summary")) << upper << " " << path;
      EXPECT_TRUE(operation.contains("responses")) << upper << " " << path;
    }
  }
  std::set<std::string> routed;
  for (const http::ApiRoute& route : http::api_routes(*context_)) {
    const std::string key = route.method + " " + route.pattern;
    routed.insert(key);
    EXPECT_TRUE(documented.count(key)) << key << " is routed but not documented";
    if (!documented.count(key)) continue;
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(doc["paths"][route.pattern][method]["x-provisio-access"],
              std::string(http::to_string(route.access)))
        << key;
  }
  for (const std::string& key : documented) {
    EXPECT_TRUE(routed.count(key)) << key << " is documented but not routed";
  }
}

}  // namespace provisio::api_test
