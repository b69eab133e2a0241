// Sessions with CSRF, rotation at login, user tokens, Bearer and Basic, slowed-down failures,
// and deactivated users losing everything.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <array>
#include <sstream>

#include "api_fixture.hpp"

namespace provisio::api_test {
namespace {

// "NAME=value; Path=/; ..." -> value, from the Set-Cookie lines of r (the test client keeps
// one header per name, so the login answer is read raw).
std::string set_cookie_value(const std::string& raw, const std::string& name) {
  const auto at = raw.find("Set-Cookie: " + name + "=");
  if (at == std::string::npos) return "";
  const auto start = at + 12 + name.size() + 1;
  return raw.substr(start, raw.find(';', start) - start);
}

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -6;
  for (unsigned char c : in) {
    value = (value << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(kAlphabet[(value >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(kAlphabet[((value << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

// Logs in over a raw socket so that both Set-Cookie lines can be read.
std::string raw_login(std::uint16_t port, const std::string& login, const std::string& password,
                      const std::string& cookie = "") {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  const std::string body = "login=" + login + "&password=" + password;
  std::string request =
      "POST /api/authentication/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
      "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n";
  if (!cookie.empty()) request += "Cookie: " + cookie + "\r\n";
  request += "\r\n" + body;
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string raw;
  boost::system::error_code ec;
  std::array<char, 4096> chunk{};
  while (!ec) {
    const std::size_t n = socket.read_some(boost::asio::buffer(chunk), ec);
    raw.append(chunk.data(), n);
  }
  return raw;
}

}  // namespace

TEST_P(ApiTest, LoginSetsHttpOnlySameSiteCookiesAndTheSessionNeedsCsrfToChangeState) {
  const std::string raw = raw_login(port_, "plain", std::string(kUserPassword));
  ASSERT_NE(raw.find("HTTP/1.1 200"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Set-Cookie: PROVISIO_SESSION="), std::string::npos);
  const auto session_line = raw.substr(raw.find("Set-Cookie: PROVISIO_SESSION="));
  const auto line_end = session_line.find("\r\n");
  EXPECT_NE(session_line.substr(0, line_end).find("HttpOnly"), std::string::npos);
  EXPECT_NE(session_line.substr(0, line_end).find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(session_line.substr(0, line_end).find("Secure"), std::string::npos);
  const std::string session = set_cookie_value(raw, "PROVISIO_SESSION");
  const std::string csrf = set_cookie_value(raw, "XSRF-TOKEN");
  ASSERT_EQ(session.size(), 64u);
  ASSERT_EQ(csrf.size(), 64u);
  const std::string cookies = "PROVISIO_SESSION=" + session + "; XSRF-TOKEN=" + csrf;

  auto me = call(As::kAnonymous, "GET", "/api/users/current", "", {{"Cookie", cookies}});
  EXPECT_EQ(json::parse(me.body)["login"], "plain");
  // A state-changing call with the session but without the header: refused.
  auto refused =
      call(As::kAnonymous, "POST", "/api/user_tokens/generate", "name=x", {{"Cookie", cookies}});
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(message(refused).find("X-XSRF-TOKEN"), std::string::npos);
  auto wrong = call(As::kAnonymous, "POST", "/api/user_tokens/generate", "name=x",
                    {{"Cookie", cookies}, {"X-XSRF-TOKEN", std::string(64, 'a')}});
  EXPECT_EQ(wrong.status, 403);
  auto accepted = call(As::kAnonymous, "POST", "/api/user_tokens/generate", "name=x",
                       {{"Cookie", cookies}, {"X-XSRF-TOKEN", csrf}});
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  // Bearer callers need no CSRF token.
  EXPECT_EQ(call(As::kUser, "POST", "/api/user_tokens/generate", "name=y").status, 200);

  // Logout ends the session.
  EXPECT_EQ(call(As::kAnonymous, "POST", "/api/authentication/logout", "",
                 {{"Cookie", cookies}, {"X-XSRF-TOKEN", csrf}})
                .status,
            204);
  EXPECT_EQ(json::parse(call(As::kAnonymous, "GET", "/api/authentication/validate", "",
                             {{"Cookie", cookies}})
                            .body)["valid"],
            false);
}

TEST_P(ApiTest, ALoginGetsANewSessionIdAndTheOldOneStopsWorking) {
  const std::string first =
      set_cookie_value(raw_login(port_, "plain", std::string(kUserPassword)), "PROVISIO_SESSION");
  const std::string second = set_cookie_value(
      raw_login(port_, "plain", std::string(kUserPassword), "PROVISIO_SESSION=" + first),
      "PROVISIO_SESSION");
  ASSERT_FALSE(second.empty());
  EXPECT_NE(first, second);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                 {{"Cookie", "PROVISIO_SESSION=" + first}})
                .status,
            401);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                 {{"Cookie", "PROVISIO_SESSION=" + second}})
                .status,
            200);
}

TEST_P(ApiTest, SessionIdsCsrfTokensAndUserTokensNeverAppearInLogsOrOtherAnswers) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  const std::string raw = raw_login(port_, "plain", std::string(kUserPassword));
  const std::string session = set_cookie_value(raw, "PROVISIO_SESSION");
  const std::string csrf = set_cookie_value(raw, "XSRF-TOKEN");
  ASSERT_FALSE(session.empty());
  const std::string cookies = "PROVISIO_SESSION=" + session + "; XSRF-TOKEN=" + csrf;
  const std::map<std::string, std::string> with_session{{"Cookie", cookies},
                                                        {"X-XSRF-TOKEN", csrf}};
  // The one answer that shows a user token is the one that generates it.
  const auto generated =
      call(As::kAnonymous, "POST", "/api/user_tokens/generate", "name=shown-once", with_session);
  ASSERT_EQ(generated.status, 200) << generated.body;
  const std::string token = json::parse(generated.body)["token"];
  std::vector<ClientResponse> answers = {
      call(As::kAnonymous, "GET", "/api/users/current", "", {{"Cookie", cookies}}),
      call(As::kAnonymous, "GET", "/api/authentication/validate", "", {{"Cookie", cookies}}),
      call(As::kAnonymous, "GET", "/api/user_tokens/search", "", {{"Cookie", cookies}}),
      call(As::kAnonymous, "POST", "/api/user_tokens/generate", "name=no-csrf",
           {{"Cookie", cookies}}),
      call(As::kAnonymous, "GET", "/api/v2/users-management/users", "",
           {{"Authorization", "Bearer " + token}}),
      call(As::kAnonymous, "GET", "/api/v2/users-management/users", "",
           {{"Authorization", "Bearer " + token + "x"}}),
      call(As::kAnonymous, "POST", "/api/authentication/logout", "", with_session),
      call(As::kAnonymous, "GET", "/api/users/current", "", {{"Cookie", cookies}}),
  };
  spdlog::set_default_logger(previous);

  for (const ClientResponse& r : answers) {
    std::string all = r.body;
    for (const auto& [name, value] : r.headers) all += name + ": " + value + "\n";
    for (const std::string& secret : {session, csrf, token}) {
      EXPECT_EQ(all.find(secret), std::string::npos) << "an answer holds a secret: " << all;
    }
  }
  const std::string logs = captured.str();
  EXPECT_NE(logs.find("/api/users/current"), std::string::npos);  // the access log was captured
  for (const std::string& secret : {session, csrf, token, std::string(kUserPassword)}) {
    EXPECT_EQ(logs.find(secret), std::string::npos) << "the log holds a secret: " << logs;
  }
}

TEST_P(ApiTest, SessionsExpire) {
  const std::string session =
      set_cookie_value(raw_login(port_, "plain", std::string(kUserPassword)), "PROVISIO_SESSION");
  clock_.advance(auth::kDefaultSessionTtl + 1);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                 {{"Cookie", "PROVISIO_SESSION=" + session}})
                .status,
            401);
}

TEST_P(ApiTest, BearerAndBasicAuthenticate) {
  const auto basic = [&](const std::string& credentials) {
    return call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                {{"Authorization", "Basic " + base64(credentials)}});
  };
  EXPECT_EQ(basic(user_token_ + ":").status, 200);
  EXPECT_EQ(basic("plain:" + std::string(kUserPassword)).status, 200);
  EXPECT_EQ(basic("plain:wrong-password").status, 401);
  EXPECT_EQ(basic("pvo_unknown:").status, 401);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                 {{"Authorization", "Bearer pvo_unknown"}})
                .status,
            401);
  EXPECT_EQ(
      call(As::kAnonymous, "GET", "/api/user_tokens/search", "", {{"Authorization", "Basic %%%"}})
          .status,
      401);
  // Wrong credentials on a public route: treated as anonymous.
  EXPECT_EQ(
      call(As::kAnonymous, "GET", "/api/system/health", "", {{"Authorization", "Bearer nope"}})
          .status,
      200);
}

TEST_P(ApiTest, TokensAreGeneratedListedAndRevokedAndStoredHashed) {
  auto generated = form_call(As::kUser, "/api/user_tokens/generate", "name=ci");
  ASSERT_EQ(generated.status, 200) << generated.body;
  const std::string token = json::parse(generated.body)["token"];
  EXPECT_EQ(token.rfind("pvo_", 0), 0u);
  EXPECT_EQ(form_call(As::kUser, "/api/user_tokens/generate", "name=ci").status, 409);
  // Only the hash is stored.
  auto stored = store_->list_user_tokens(user_.id);
  for (const auto& t : *stored) EXPECT_NE(t.token_hash, token);
  auto listed = json::parse(call(As::kUser, "GET", "/api/user_tokens/search").body);
  EXPECT_EQ(listed["login"], "plain");
  EXPECT_EQ(listed["userTokens"].size(), 2u);  // "ci" and the fixture's "test"
  EXPECT_EQ(listed.dump().find(token), std::string::npos);
  EXPECT_EQ(
      call(As::kAnonymous, "GET", "/api/users/current", "", {{"Authorization", "Bearer " + token}})
          .status,
      200);
  EXPECT_EQ(form_call(As::kUser, "/api/user_tokens/revoke", "name=ci").status, 204);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                 {{"Authorization", "Bearer " + token}})
                .status,
            401);
  // Another user's tokens: administrators only.
  EXPECT_EQ(call(As::kUser, "GET", "/api/user_tokens/search?login=admin").status, 403);
  EXPECT_EQ(call(As::kAdmin, "GET", "/api/user_tokens/search?login=plain").status, 200);
  EXPECT_EQ(form_call(As::kAdmin, "/api/user_tokens/generate", "name=for-plain&login=plain").status,
            200);
}

TEST_P(ApiTest, RepeatedFailedLoginsAreRefusedWith429UntilTheWindowPasses) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(
        form_call(As::kAnonymous, "/api/authentication/login", "login=plain&password=bad").status,
        401);
  }
  const auto limited = form_call(As::kAnonymous, "/api/authentication/login",
                                 "login=plain&password=" + std::string(kUserPassword));
  EXPECT_EQ(limited.status, 429);
  EXPECT_TRUE(limited.headers.count("Retry-After"));
  // Basic with a password counts against the same account.
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/users/current", "",
                 {{"Authorization", "Basic " + base64("plain:" + std::string(kUserPassword))}})
                .status,
            429);  // even on a public route: the caller should know it is held back
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                 {{"Authorization", "Basic " + base64("plain:" + std::string(kUserPassword))}})
                .status,
            429);
  // Another account from the same address is not yet limited.
  EXPECT_EQ(form_call(As::kAnonymous, "/api/authentication/login",
                      "login=admin&password=" + std::string(kAdminPassword))
                .status,
            200);
  clock_.advance(15 * 60 * 1000);
  EXPECT_EQ(form_call(As::kAnonymous, "/api/authentication/login",
                      "login=plain&password=" + std::string(kUserPassword))
                .status,
            200);
}

TEST_P(ApiTest, ADeactivatedUserLosesSessionsAndTokens) {
  const std::string session =
      set_cookie_value(raw_login(port_, "plain", std::string(kUserPassword)), "PROVISIO_SESSION");
  ASSERT_EQ(call(As::kUser, "GET", "/api/user_tokens/search").status, 200);
  ASSERT_EQ(call(As::kAdmin, "DELETE", "/api/v2/users-management/users/" + user_.uuid).status, 204);
  EXPECT_EQ(call(As::kUser, "GET", "/api/user_tokens/search").status, 401);
  EXPECT_EQ(call(As::kAnonymous, "GET", "/api/user_tokens/search", "",
                 {{"Cookie", "PROVISIO_SESSION=" + session}})
                .status,
            401);
  EXPECT_TRUE(store_->list_user_tokens(user_.id)->empty());
  EXPECT_EQ(form_call(As::kAnonymous, "/api/authentication/login",
                      "login=plain&password=" + std::string(kUserPassword))
                .status,
            401);
  auto after = store_->get_user(user_.id);
  EXPECT_FALSE(after->active);
  EXPECT_TRUE(store_->user_groups(user_.id)->empty());
}

TEST_P(ApiTest, ChangingOnesOwnPasswordNeedsTheOldOne) {
  EXPECT_EQ(form_call(As::kUser, "/api/users/change_password", "password=a-new-password-1").status,
            400);
  EXPECT_EQ(form_call(As::kUser, "/api/users/change_password",
                      "password=a-new-password-1&previousPassword=wrong")
                .status,
            400);
  EXPECT_EQ(form_call(As::kUser, "/api/users/change_password",
                      "password=a-new-password-1&previousPassword=" + std::string(kUserPassword))
                .status,
            204);
  EXPECT_EQ(form_call(As::kAnonymous, "/api/authentication/login",
                      "login=plain&password=a-new-password-1")
                .status,
            200);
  EXPECT_EQ(form_call(As::kUser, "/api/users/change_password", "login=admin&password=x-x-x-x-x-x-x")
                .status,
            403);
}

}  // namespace provisio::api_test
