// The OAuth code exchange against scripted GitLab answers.
#include "gitlab/oauth_token.hpp"

#include <gtest/gtest.h>

#include "scripted_transport.hpp"

namespace provisio::gitlab {
namespace {

CodeExchange exchange() {
  CodeExchange e;
  e.base_url = "https://gitlab.example.com";
  e.client_id = "app";
  e.client_secret = "s3cret&=";
  e.code = "the-code";
  e.redirect_uri = "http://p:9000/oauth2/callback/gitlab";
  e.code_verifier = "verifier-0123456789-0123456789-0123456789-abc";
  return e;
}

TransportResponse answer(int status, std::string body) {
  TransportResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(ExchangeCode, PostsTheFormAndReadsTheTokenAndScopes) {
  ManualClock clock(0);
  testing::ScriptedTransport transport(clock, [](const TransportRequest&) {
    return answer(200, R"({"access_token":"tok","token_type":"bearer","expires_in":7200,
                           "refresh_token":"r","created_at":1,"scope":"api read_user"})");
  });
  auto tokens = exchange_code(transport, exchange());
  ASSERT_TRUE(tokens) << tokens.error().message;
  EXPECT_EQ(tokens->access_token, "tok");
  EXPECT_EQ(tokens->scopes, (std::vector<std::string>{"api", "read_user"}));
  ASSERT_EQ(transport.log().size(), 1u);
  const TransportRequest& sent = transport.log()[0].request;
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://gitlab.example.com/oauth/token");
  EXPECT_EQ(sent.body,
            "grant_type=authorization_code&client_id=app&client_secret=s3cret%26%3D&code=the-code"
            "&redirect_uri=http%3A%2F%2Fp%3A9000%2Foauth2%2Fcallback%2Fgitlab"
            "&code_verifier=verifier-0123456789-0123456789-0123456789-abc");
}

TEST(ExchangeCode, TellsRefusalsFromOutagesAndNeverRetries) {
  ManualClock clock(0);
  int calls = 0;
  std::string body;
  int status = 400;
  testing::ScriptedTransport transport(clock, [&](const TransportRequest&) {
    ++calls;
    return answer(status, body);
  });
  body =
      R"({"error":"invalid_grant","error_description":"The provided authorization grant is invalid"})";
  auto refused = exchange_code(transport, exchange());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(refused.error().message.find("expired, was already used"), std::string::npos);

  status = 401;
  body = R"({"error":"invalid_client"})";
  EXPECT_NE(exchange_code(transport, exchange()).error().message.find("application ID or secret"),
            std::string::npos);

  status = 502;
  body = "<html>bad gateway</html>";
  EXPECT_EQ(exchange_code(transport, exchange()).error().code, ErrorCode::kUnavailable);

  status = 200;
  body = R"({"token_type":"bearer"})";
  EXPECT_EQ(exchange_code(transport, exchange()).error().code, ErrorCode::kInvalidResponse);
  EXPECT_EQ(calls, 4) << "one request per exchange";

  // No message quotes a secret or the code.
  status = 400;
  body = R"({"error":"invalid_request"})";
  const auto e = exchange_code(transport, exchange()).error();
  for (const char* secret : {"s3cret", "the-code", "verifier-"}) {
    EXPECT_EQ(e.message.find(secret), std::string::npos) << e.message;
  }
}

TEST(ExchangeCode, ATransportFailureIsAnOutage) {
  ManualClock clock(0);
  testing::ScriptedTransport transport(clock, [](const TransportRequest&) {
    TransportResponse r;
    r.failure = TransportFailure::kUnreachable;
    r.failure_detail = "Could not resolve host";
    return r;
  });
  const auto e = exchange_code(transport, exchange());
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(e.error().message.find("Could not resolve host"), std::string::npos);
}

}  // namespace
}  // namespace provisio::gitlab
