// CurlTransport over loopback against our own HTTP server: answers, headers, redirects not
// followed, timeouts, truncated bodies, refused connections, many transfers at once.
#include "gitlab/curl_transport.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "http/server.hpp"

namespace provisio::gitlab {
namespace {

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router.add("GET", "/json", [](const http::HttpRequest& r) {
      http::HttpResponse out;
      out.body =
          R"({"ok":true,"token":")" + std::string(r.header("private-token").value_or("")) + "\"}";
      out.headers.emplace_back("X-Next-Page", "2");
      return out;
    });
    router.add("GET", "/moved", [](const http::HttpRequest&) {
      http::HttpResponse out;
      out.status = 301;
      out.body = "";
      out.headers.emplace_back("Location", "https://elsewhere.example/api/v4/groups");
      return out;
    });
    router.add("GET", "/slow", [](const http::HttpRequest&) {
      http::HttpResponse out;
      out.body = "[]";
      out.delay = std::chrono::milliseconds(3'000);
      return out;
    });
    router.add("GET", "/truncated", [](const http::HttpRequest&) {
      http::HttpResponse out;
      out.body = std::string(10'000, 'x');
      out.truncate_body_at = 100;
      return out;
    });
    router.add("GET", "/wait", [this](const http::HttpRequest&) {
      ++received_;
      // Held until the server stops (stop() sends held answers at once): no answer can come
      // back before the test has seen every request arrive, however slow the machine.
      http::HttpResponse out;
      out.body = "[]";
      out.delay = std::chrono::hours(1);
      return out;
    });
    http::ServerOptions o;
    o.bind_address = "127.0.0.1";
    server_ = std::make_unique<http::Server>(o, std::move(router));
    auto port = server_->start();
    ASSERT_TRUE(port);
    base_ = "http://127.0.0.1:" + std::to_string(*port);
  }
  void TearDown() override { server_->stop(); }

  TransportResponse get(CurlTransport& t, const std::string& path,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000)) {
    std::optional<TransportResponse> out;
    TransportRequest r;
    r.url = base_ + path;
    r.timeout = timeout;
    r.headers.emplace_back("PRIVATE-TOKEN", "t0k3n");
    t.start(r, [&](TransportResponse resp) { out = std::move(resp); });
    while (!out) t.wait(t.clock().now() + 1'000);
    return *out;
  }

  std::unique_ptr<http::Server> server_;
  std::string base_;
  std::atomic<int> received_{0};
};

TEST_F(CurlTransportTest, ReturnsStatusLowerCaseHeadersAndBody) {
  CurlTransport t;
  const auto r = get(t, "/json");
  EXPECT_EQ(r.failure, TransportFailure::kNone);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("x-next-page"), "2");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"ok":true,"token":"t0k3n"})");
}

TEST_F(CurlTransportTest, DoesNotFollowRedirects) {
  CurlTransport t;
  const auto r = get(t, "/moved");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.header("location"), "https://elsewhere.example/api/v4/groups");
}

TEST_F(CurlTransportTest, GivesUpAtTheRequestsTimeout) {
  CurlTransport t;
  const auto r = get(t, "/slow", std::chrono::milliseconds(300));
  EXPECT_EQ(r.failure, TransportFailure::kTimeout);
  EXPECT_EQ(r.status, 0);
}

TEST_F(CurlTransportTest, ATruncatedBodyIsAFailedConnection) {
  CurlTransport t;
  const auto r = get(t, "/truncated");
  EXPECT_EQ(r.failure, TransportFailure::kConnection);
  EXPECT_FALSE(r.failure_detail.empty());
}

TEST_F(CurlTransportTest, ARefusedConnectionIsReported) {
  CurlTransport t;
  std::optional<TransportResponse> out;
  TransportRequest r;
  r.url = "http://127.0.0.1:1/api/v4/user";
  t.start(r, [&](TransportResponse resp) { out = std::move(resp); });
  while (!out) t.wait(t.clock().now() + 1'000);
  EXPECT_NE(out->failure, TransportFailure::kNone);
}

TEST_F(CurlTransportTest, RunsManyTransfersAtOnce) {
  CurlTransport t;
  int done = 0;
  int received_at_first_answer = 0;
  for (int i = 0; i < 20; ++i) {
    TransportRequest r;
    r.url = base_ + "/wait";
    t.start(r, [&](TransportResponse resp) {
      EXPECT_EQ(resp.status, 200);
      if (done++ == 0) received_at_first_answer = received_.load();
    });
  }
  EXPECT_EQ(t.in_flight(), 20u);
  // Every request reaches the server while none is answered: they are in flight together, not
  // one after another.
  while (received_ < 20) t.wait(t.clock().now() + 100);
  EXPECT_EQ(done, 0);
  server_->stop();  // releases the held answers
  while (done < 20) t.wait(t.clock().now() + 1'000);
  EXPECT_EQ(received_at_first_answer, 20);
  EXPECT_EQ(t.in_flight(), 0u);
}

TEST_F(CurlTransportTest, WaitReturnsAtTheDeadlineWhenNothingIsInFlight) {
  CurlTransport t;
  const Millis start = t.clock().now();
  t.wait(start + 50);
  EXPECT_GE(t.clock().now(), start + 50);
}

}  // namespace
}  // namespace provisio::gitlab
