// The HTTP server over loopback, in-process: keep-alive, limits, timeouts, errors, shutdown.

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/json_response.hpp"
#include "http/server.hpp"
#include "http/system_handlers.hpp"
#include "http_client.hpp"

namespace provisio::http {
namespace {

using provisio::testing::http_get;
using provisio::testing::HttpClient;
using namespace std::chrono_literals;

Router test_router() {
  Router router;
  add_system_routes(router, SystemInfo{});
  router.add("POST", "/echo", [](const HttpRequest& r) {
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = r.body;
    return response;
  });
  router.add("GET", "/query", [](const HttpRequest& r) {
    return json_response(
        200, {{"q", r.query_param("q").value_or("")}, {"header", r.header("X-Test").value_or("")}});
  });
  router.add("GET", "/boom", [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("secret-token-123");
  });
  return router;
}

ServerOptions loopback() {
  ServerOptions options;
  options.bind_address = "127.0.0.1";
  return options;
}

// Whether something listens on the port: a connection attempt is accepted, not refused.
bool accepts_connections(std::uint16_t port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

class ServerTest : public ::testing::Test {
 protected:
  std::uint16_t start(ServerOptions options = loopback(), Router router = test_router()) {
    server_ = std::make_unique<Server>(std::move(options), std::move(router));
    auto port = server_->start();
    EXPECT_TRUE(port) << port.error().message;
    return port.value_or(0);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, StartReturnsTheBoundPortAndServesHealth) {
  const auto port = start();
  ASSERT_NE(port, 0);
  const auto response = http_get(port, "/api/system/health");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(response.body),
            nlohmann::json::parse(R"({"health":"GREEN","causes":[]})"));
}

TEST_F(ServerTest, KeepsAConnectionAliveAcrossRequests) {
  const auto port = start();
  HttpClient client(port);
  for (int i = 0; i < 5; ++i) {
    const auto response = client.request("POST", "/echo", "ping " + std::to_string(i));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "ping " + std::to_string(i));
    EXPECT_TRUE(response.keep_alive);
  }
}

TEST_F(ServerTest, PassesQueryAndHeadersToHandlers) {
  const auto port = start();
  HttpClient client(port);
  const auto response = client.request("GET", "/query?q=a%20b", "", {{"X-Test", "yes"}});
  EXPECT_EQ(nlohmann::json::parse(response.body),
            nlohmann::json::parse(R"({"q":"a b","header":"yes"})"));
}

TEST_F(ServerTest, UnknownPathIs404JsonAndWrongMethodIs405) {
  const auto port = start();
  HttpClient client(port);
  const auto missing = client.request("GET", "/api/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(missing.body, R"({"errors":[{"msg":"Unknown URL."}]})");
  const auto v2 = client.request("GET", "/api/v2/nothing");
  EXPECT_EQ(v2.body, R"({"message":"Unknown URL."})");
  const auto wrong = client.request("DELETE", "/api/system/health");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.at("Allow"), "GET");
}

TEST_F(ServerTest, AThrowingHandlerGets500AndTheServerKeepsServing) {
  const auto port = start();
  HttpClient client(port);
  const auto boom = client.request("GET", "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body.find("secret-token-123"), std::string::npos);
  EXPECT_EQ(client.request("GET", "/api/system/health").status, 200);
  EXPECT_EQ(http_get(port, "/api/system/health").status, 200);
}

TEST_F(ServerTest, TheDefaultBodyLimitIsOneMebibyte) {
  const auto port = start();
  const std::string one_mib(1024 * 1024, 'x');
  const auto accepted = HttpClient(port).request("POST", "/echo", one_mib);
  EXPECT_EQ(accepted.status, 200);
  EXPECT_EQ(accepted.body.size(), one_mib.size());

  HttpClient client(port);
  const auto refused = client.request("POST", "/echo", one_mib + "y");
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(refused.body, R"({"errors":[{"msg":"The request body is too large."}]})");
  EXPECT_FALSE(refused.keep_alive);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, ABodyOverAConfiguredLimitGets413InTheV2Shape) {
  ServerOptions options = loopback();
  options.body_limit = 100;
  const auto port = start(options);
  const auto refused =
      HttpClient(port).request("POST", "/api/v2/anything", std::string(2 * 1024 * 1024, 'z'));
  EXPECT_EQ(refused.status, 413);
  EXPECT_EQ(refused.body, R"({"message":"The request body is too large."})");
}

TEST_F(ServerTest, AnswersExpectContinueBeforeTheBody) {
  const auto port = start();
  HttpClient client(port);
  client.write_raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.read_response().status, 100);
  client.write_raw("hello");
  const auto response = client.read_response();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello");
}

TEST_F(ServerTest, RefusesATooLargeBodyBeforeItIsSentWhenTheClientAsks) {
  const auto port = start();
  HttpClient client(port);
  client.write_raw(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n"
      "Expect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.read_response().status, 413);
}

TEST_F(ServerTest, AMalformedRequestGets400) {
  const auto port = start();
  HttpClient client(port);
  client.write_raw("NOT A REQUEST\r\n\r\n");
  EXPECT_EQ(client.read_response().status, 400);
}

TEST_F(ServerTest, ASlowClientIsDisconnectedAfterTheHeaderTimeout) {
  ServerOptions options = loopback();
  options.header_timeout = 1s;
  const auto port = start(options);
  // The client gives up only after a minute: closed before that, it was the server's timeout.
  HttpClient client(port, 60s);
  client.write_raw("GET /api/system/health HTTP/1.1\r\nHost: x\r\n");  // never finished
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, AnIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options = loopback();
  options.idle_timeout = 1s;
  const auto port = start(options);
  HttpClient client(port, 10s);
  EXPECT_EQ(client.request("GET", "/api/system/health").status, 200);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, AHeaderSentOneByteAtATimeStillMeetsTheHeaderTimeout) {
  // The header timer runs from the request's first byte, not from each byte: a slowloris that
  // keeps sending cannot hold the connection longer.
  ServerOptions options = loopback();
  options.header_timeout = 1s;
  options.idle_timeout = 30s;
  const auto port = start(options);
  HttpClient client(port, 10s);
  client.write_raw("GET /api/system/health HTTP/1.1\r\n");
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    try {
      for (int i = 0; i < 100 && !stop; ++i) {
        client.write_raw("X");
        std::this_thread::sleep_for(100ms);
      }
    } catch (const std::exception&) {
      // the server closed the connection
    }
  });
  EXPECT_TRUE(client.closed_by_server());
  stop = true;
  trickle.join();
}

TEST_F(ServerTest, UnknownMethodsGet501BeforeRouting) {
  const auto port = start();
  for (const char* method : {"PROPFIND", "TRACE", "CONNECT", "FLOOD"}) {
    HttpClient client(port);
    client.write_raw(std::string(method) + " /api/system/health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(client.read_response().status, 501) << method;
  }
  EXPECT_EQ(HttpClient(port).request("OPTIONS", "/api/system/health").status, 405);
}

TEST_F(ServerTest, AtThePerAddressLimitANewConnectionTakesThePlaceOfAnIdleOne) {
  ServerOptions options = loopback();
  options.max_connections_per_address = 4;
  const auto port = start(options);
  std::vector<std::unique_ptr<HttpClient>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<HttpClient>(port, 10s, "127.0.0.3"));
    EXPECT_EQ(idle.back()->request("GET", "/api/system/health").status, 200);
  }
  // A fifth from the same address is served, and the connection idle the longest was closed.
  EXPECT_EQ(HttpClient(port, 10s, "127.0.0.3").request("GET", "/api/system/health").status, 200);
  EXPECT_TRUE(idle.front()->closed_by_server());
  // Another address is not concerned.
  EXPECT_EQ(HttpClient(port, 10s, "127.0.0.4").request("GET", "/api/system/health").status, 200);
}

TEST_F(ServerTest, WhenEveryConnectionIsBusyANewOneGets503) {
  std::promise<void> entered_first, entered_second;
  std::atomic<int> entered{0};
  std::atomic<bool> release{false};
  Router router = test_router();
  router.add("GET", "/slow", [&](const HttpRequest&) {
    (++entered == 1 ? entered_first : entered_second).set_value();
    while (!release) std::this_thread::sleep_for(5ms);
    return json_response(200, {{"done", true}});
  });
  ServerOptions options = loopback();
  options.max_connections = 2;
  const auto port = start(options, std::move(router));
  auto first = std::async(std::launch::async, [port] { return http_get(port, "/slow"); });
  ASSERT_EQ(entered_first.get_future().wait_for(10s), std::future_status::ready);
  auto second = std::async(std::launch::async, [port] { return http_get(port, "/slow"); });
  ASSERT_EQ(entered_second.get_future().wait_for(10s), std::future_status::ready);
  HttpClient third(port);
  const auto refused = third.read_response();  // written at once, before any request
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.headers.count("Retry-After"), 1u);
  release = true;
  EXPECT_EQ(first.get().status, 200);
  EXPECT_EQ(second.get().status, 200);
}

TEST_F(ServerTest, OnlyATrustedProxyNamesTheClient) {
  Router router;
  router.add("GET", "/who", [](const HttpRequest& r) {
    return json_response(200, {{"address", r.remote_address}, {"tls", r.over_tls}});
  });
  ServerOptions options = loopback();
  options.trusted_proxies = *parse_address_ranges("127.0.0.1");
  const auto port = start(options, std::move(router));
  const auto ask = [&](const std::string& source) {
    return nlohmann::json::parse(
        HttpClient(port, 10s, source)
            .request("GET", "/who", "",
                     {{"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-Proto", "https"}})
            .body);
  };
  EXPECT_EQ(ask("127.0.0.1"), (nlohmann::json{{"address", "203.0.113.9"}, {"tls", true}}));
  EXPECT_EQ(ask("127.0.0.2"), (nlohmann::json{{"address", "127.0.0.2"}, {"tls", false}}));
}

TEST_F(ServerTest, SlowClientsDoNotHoldUpOthers) {
  const auto port = start();
  // Ten connections that send half a request each and then nothing (a slowloris), and one that
  // sends a body slowly: a normal client is still served at once.
  std::vector<std::unique_ptr<HttpClient>> slow;
  for (int i = 0; i < 10; ++i) {
    slow.push_back(std::make_unique<HttpClient>(port, 10s));
    slow.back()->write_raw("GET /api/system/health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  }
  HttpClient trickle(port, 10s);
  trickle.write_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab");
  const auto served = http_get(port, "/api/system/health");
  EXPECT_EQ(served.status, 200);
  const auto echoed = HttpClient(port).request("POST", "/echo", "hello");
  EXPECT_EQ(echoed.body, "hello");
}

TEST_F(ServerTest, WritesOneAccessLogEntryPerRequest) {
  std::mutex mutex;
  std::vector<AccessLogEntry> entries;
  ServerOptions options = loopback();
  options.access_log = [&](const AccessLogEntry& e) {
    std::lock_guard lock(mutex);
    entries.push_back(e);
  };
  const auto port = start(options);
  HttpClient client(port);
  client.request("GET", "/api/system/health?token=secret");
  client.request("GET", "/missing");
  server_->stop();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].method, "GET");
  EXPECT_EQ(entries[0].path, "/api/system/health");  // never the query: it may hold a token
  EXPECT_EQ(entries[0].status, 200);
  EXPECT_EQ(entries[0].remote_address, "127.0.0.1");
  EXPECT_EQ(entries[1].status, 404);
}

TEST_F(ServerTest, StopClosesIdleConnectionsPromptly) {
  // An idle connection would be dropped after read_timeout; stop() must not wait for that. (The
  // bound is the timeout itself, so a loaded machine cannot make the test fail by slowness.)
  ServerOptions options = loopback();
  options.read_timeout = 600s;
  const auto port = start(options);
  HttpClient client(port, 900s);
  EXPECT_EQ(client.request("GET", "/api/system/health").status, 200);
  const auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - started, options.read_timeout);
}

TEST_F(ServerTest, StopLetsARequestInFlightFinish) {
  std::promise<void> entered;
  auto entered_future = entered.get_future();
  std::atomic<bool> release{false};
  Router router = test_router();
  router.add("GET", "/slow", [&](const HttpRequest&) {
    entered.set_value();
    while (!release) std::this_thread::sleep_for(5ms);
    return json_response(200, {{"done", true}});
  });
  const auto port = start(loopback(), std::move(router));

  auto answer = std::async(std::launch::async, [port] { return http_get(port, "/slow"); });
  ASSERT_EQ(entered_future.wait_for(10s), std::future_status::ready);
  auto stopped = std::async(std::launch::async, [this] { server_->stop(); });
  // stop() has begun once the listener is closed; it must then wait for the request in flight.
  while (accepts_connections(port)) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(stopped.wait_for(0s), std::future_status::timeout) << "stop() did not wait";
  release = true;
  const auto response = answer.get();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"done":true})");
  EXPECT_FALSE(response.keep_alive);
  ASSERT_EQ(stopped.wait_for(10s), std::future_status::ready);
  // The listener is gone.
  EXPECT_THROW(http_get(port, "/api/system/health"), boost::system::system_error);
}

TEST_F(ServerTest, ADelayedAnswerDoesNotHoldUpOtherConnections) {
  std::atomic<bool> slow_answered{false};
  std::promise<void> received;
  Router router = test_router();
  router.add("GET", "/delayed", [&received](const HttpRequest&) {
    received.set_value();
    HttpResponse response = json_response(200, {{"late", true}});
    response.delay = 30s;  // cut short by stop() below
    return response;
  });
  ServerOptions options = loopback();
  // The handler runs on the I/O thread, which goes straight on to hold its answer: once it has
  // run, every other request is served while the answer is held.
  options.worker_threads = 0;
  const auto port = start(options, std::move(router));
  auto slow = std::async(std::launch::async, [&] {
    auto response = HttpClient(port, 60s).request("GET", "/delayed");
    slow_answered = true;
    return response;
  });
  // The held request must be in before stop(): a stop() that came first would close the
  // listener before it connects (connection refused) or close its connection while idle.
  ASSERT_EQ(received.get_future().wait_for(10s), std::future_status::ready);
  // While /delayed is held back, the single I/O thread keeps answering other connections.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(http_get(port, "/api/system/health").status, 200);
  EXPECT_FALSE(slow_answered);
  server_->stop();  // cancels the wait; the held answer goes out with Connection: close
  const auto response = slow.get();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"late":true})");
  EXPECT_FALSE(response.keep_alive);
}

TEST_F(ServerTest, ATruncatedAnswerAnnouncesTheFullLengthThenCloses) {
  Router router = test_router();
  router.add("GET", "/cut", [](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = std::string(1000, 'a');
    response.truncate_body_at = 100;
    return response;
  });
  const auto port = start(loopback(), std::move(router));
  HttpClient client(port);
  client.write_raw("GET /cut HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string received;
  boost::system::error_code ec;
  boost::asio::io_context io;
  // Read the raw bytes on a fresh socket: the test client's parser would reject a short body.
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket,
                     boost::asio::buffer(std::string("GET /cut HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::array<char, 4096> chunk{};
  while (!ec) {
    const std::size_t n = socket.read_some(boost::asio::buffer(chunk), ec);
    received.append(chunk.data(), n);
  }
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset);
  const auto split = received.find("\r\n\r\n");
  ASSERT_NE(split, std::string::npos);
  EXPECT_NE(received.substr(0, split).find("Content-Length: 1000"), std::string::npos);
  EXPECT_EQ(received.size() - split - 4, 100u);
  // A well-behaved client sees an incomplete message.
  EXPECT_THROW(client.read_response(), boost::system::system_error);
}

TEST(Server, RefusesABadBindAddressAndASecondStart) {
  ServerOptions bad;
  bad.bind_address = "not-an-address";
  Server refused(bad, Router{});
  const auto r = refused.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);

  Server server(loopback(), Router{});
  ASSERT_TRUE(server.start());
  const auto again = server.start();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
  server.stop();
  server.stop();  // idempotent
}

TEST(Server, ReportsAPortInUse) {
  Server first(loopback(), Router{});
  const auto port = first.start();
  ASSERT_TRUE(port);
  ServerOptions options = loopback();
  options.port = *port;
  Server second(options, Router{});
  const auto r = second.start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace provisio::http
