// The browser's half of the GitLab login: PKCE, the authorize URL, the safe return path and the
// sealed flow cookie.
#include "auth/oauth_flow.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace provisio::auth {
namespace {

std::shared_ptr<store::SecretBox> box() {
  store::SecretBox::Key key{};
  randombytes_buf(key.data(), key.size());
  return std::make_shared<store::SecretBox>(key);
}

TEST(Pkce, MatchesTheExampleOfRfc7636) {
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(AuthorizeUrl, CarriesEverythingGitlabNeeds) {
  const PendingLogin pending = new_pending_login("/x", 0);
  EXPECT_GE(pending.code_verifier.size(), 43u);
  EXPECT_LE(pending.code_verifier.size(), 128u);
  const std::string url = authorize_url(
      {"https://gitlab.example.com", "app id", "http://p:9000/oauth2/callback/gitlab", "api"},
      pending);
  EXPECT_EQ(url.rfind("https://gitlab.example.com/oauth/authorize?client_id=app%20id&", 0), 0u);
  EXPECT_NE(url.find("&redirect_uri=http%3A%2F%2Fp%3A9000%2Foauth2%2Fcallback%2Fgitlab&"),
            std::string::npos);
  EXPECT_NE(url.find("&response_type=code&state=" + pending.state + "&scope=api&"),
            std::string::npos);
  EXPECT_NE(url.find("&code_challenge=" + pkce_challenge(pending.code_verifier) +
                     "&code_challenge_method=S256"),
            std::string::npos);
  EXPECT_EQ(url.find(pending.code_verifier), std::string::npos) << "the verifier stays here";
}

TEST(ReturnTo, StaysOnThisServer) {
  EXPECT_EQ(safe_return_to("/projects?x=1#top"), "/projects?x=1#top");
  EXPECT_EQ(safe_return_to("/"), "/");
  for (const char* bad :
       {"", "//evil.example", "/\\evil.example", "https://evil.example", "evil", "/a\\b",
        "/a\nSet-Cookie: x", "/sessions/init/gitlab", "/oauth2/callback/gitlab?code=x"}) {
    EXPECT_EQ(safe_return_to(bad), "/") << bad;
  }
  EXPECT_EQ(safe_return_to("/" + std::string(3000, 'a')), "/");
}

TEST(FlowCookie, OpensOnlyUnalteredUnexpiredAndWithTheSameKey) {
  const auto key = box();
  const PendingLogin pending = new_pending_login("/back", 1'000);
  const std::string sealed = seal_pending(*key, pending);
  EXPECT_EQ(sealed.find(pending.code_verifier), std::string::npos);

  auto opened = open_pending(*key, sealed, 2'000);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->state, pending.state);
  EXPECT_EQ(opened->code_verifier, pending.code_verifier);
  EXPECT_EQ(opened->return_to, "/back");

  EXPECT_FALSE(open_pending(*key, sealed, pending.expires_at));  // expired
  EXPECT_FALSE(open_pending(*box(), sealed, 2'000));             // another key
  std::string altered = sealed;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(open_pending(*key, altered, 2'000));
  EXPECT_FALSE(open_pending(*key, std::nullopt, 2'000));
  EXPECT_FALSE(open_pending(*key, std::string(), 2'000));
  EXPECT_EQ(open_pending(*key, std::nullopt, 0).error().code, ErrorCode::kUnauthenticated);
}

TEST(State, MustMatchExactly) {
  const PendingLogin pending = new_pending_login("/", 0);
  EXPECT_TRUE(state_matches(pending, pending.state));
  EXPECT_FALSE(state_matches(pending, ""));
  EXPECT_FALSE(state_matches(pending, pending.state + "x"));
  EXPECT_FALSE(state_matches(pending, std::string(pending.state.size(), 'a')));
}

}  // namespace
}  // namespace provisio::auth
