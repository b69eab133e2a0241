// The web admin's file serving: which paths are refused, what is served from where, and the
// headers that decide caching.
#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace provisio::http {
namespace {

namespace fs = std::filesystem;

TEST(SafeRelativePath, AcceptsPlainPaths) {
  EXPECT_EQ(safe_relative_path("/"), "");
  EXPECT_EQ(safe_relative_path("/index.html"), "index.html");
  EXPECT_EQ(safe_relative_path("/assets/index-Ab12.js"), "assets/index-Ab12.js");
  EXPECT_EQ(safe_relative_path("/projects/my%20key/permissions"), "projects/my key/permissions");
  EXPECT_EQ(safe_relative_path("//assets//a.js"), "assets/a.js");
  EXPECT_EQ(safe_relative_path("/a..b/c.d"), "a..b/c.d");  // dots inside a name are fine
}

TEST(SafeRelativePath, RefusesTraversalAndOddSegments) {
  for (const char* path : {"/..", "/../etc/passwd", "/assets/../../secret", "/%2e%2e/etc/passwd",
                           "/%2E%2E%2Fetc", "/a/%2e%2e%2f%2e%2e/b", "/./index.html", "/a\\..\\b",
                           "/a%5c..%5cb", "/a%00.html", "relative", "", "/%zz"}) {
    EXPECT_FALSE(safe_relative_path(path).has_value()) << path;
  }
}

TEST(ContentType, ByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("assets/a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
  EXPECT_EQ(content_type_for("x.unknown"), "application/octet-stream");
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    base_ = fs::temp_directory_path() / ("provisio-static-" + std::to_string(random()));
    root_ = base_ / "dist";
    fs::create_directories(root_ / "assets");
    write(root_ / "index.html", "<!doctype html><title>app</title>");
    write(root_ / "assets" / "index-Ab12.js", "console.log(1)");
    write(base_ / "secret.txt", "top secret");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  HttpResponse get(const std::string& path, const std::string& method = "GET") const {
    HttpRequest request;
    request.method = method;
    request.path = path;
    return StaticFiles(root_).serve(request);
  }

  static std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  fs::path base_, root_;
};

TEST_F(StaticFilesTest, ServesAssetsAsImmutableAndIndexAsNoCache) {
  const auto js = get("/assets/index-Ab12.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(js, "Cache-Control"), "public, max-age=31536000, immutable");

  const auto index = get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header(index, "Cache-Control"), "no-cache");
  EXPECT_NE(header(index, "Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
}

TEST_F(StaticFilesTest, PagesOfTheAppGetIndexHtmlButMissingFilesAre404) {
  for (const char* page : {"/login", "/gitlab", "/projects/k/permissions"}) {
    const auto r = get(page);
    EXPECT_EQ(r.status, 200) << page;
    EXPECT_EQ(r.body, "<!doctype html><title>app</title>") << page;
  }
  EXPECT_EQ(get("/assets/gone-1234.js").status, 404);
  EXPECT_EQ(get("/favicon.ico").status, 404);
}

TEST_F(StaticFilesTest, NeverReadsOutsideTheDirectory) {
  EXPECT_EQ(get("/../secret.txt").status, 400);
  EXPECT_EQ(get("/%2e%2e/secret.txt").status, 400);
  // A symbolic link inside the directory that leads out of it is not followed.
  fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
  const auto r = get("/leak.txt");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("top secret"), std::string::npos);
}

TEST_F(StaticFilesTest, LeavesTheApiAndOtherMethodsAlone) {
  const auto api = get("/api/nothing/here");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.content_type, "application/json");
  EXPECT_EQ(get("/api/v2/nothing").body, R"({"message":"Unknown URL."})");
  EXPECT_EQ(get("/", "POST").status, 404);
}

TEST_F(StaticFilesTest, SaysSoWhenTheUiIsNotBuilt) {
  fs::remove(root_ / "index.html");
  EXPECT_FALSE(StaticFiles(root_).has_index());
  const auto r = get("/login");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("make build"), std::string::npos);
  EXPECT_EQ(StaticFiles(base_ / "absent").serve(HttpRequest{"GET", "/", {}, {}, {}, "", ""}).status,
            404);
}

}  // namespace
}  // namespace provisio::http
