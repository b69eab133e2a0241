#pragma once
// GitLab as an OAuth2 / OIDC provider, enough for "Sign in with GitLab" (CONTRACT.md §9):
// GET /oauth/authorize (authorization code, state, PKCE S256 or plain), POST /oauth/token
// (authorization_code and refresh_token grants; a refresh revokes the old pair), GET
// /oauth/userinfo, GET /oauth/token/info, POST /oauth/revoke.
//
// There is no login page: /oauth/authorize approves at once as the "logged-in user" (the control
// API sets it; `provisioner` by default; none sends the browser to /users/sign_in). Access tokens
// last 7200 s and are also accepted by the REST API as `Authorization: Bearer`.
//
// Thread safety: OAuthStore may be used from any thread.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "auth.hpp"
#include "http/http_types.hpp"
#include "prng.hpp"
#include "world.hpp"

namespace provisio::sim {

inline constexpr std::int64_t kAccessTokenLifetime = 7200;

class OAuthStore {
 public:
  explicit OAuthStore(std::uint64_t seed = 42);

  // The user /oauth/authorize approves as; nothing = nobody is signed in.
  void set_logged_in_user(std::optional<std::string> username);
  std::optional<std::string> logged_in_user() const;

  // How the signed-in user answers the consent screen: deny (the redirect carries
  // error=access_denied), or approve with fewer scopes than asked (a token without `api`).
  struct Consent {
    bool deny = false;
    std::optional<std::vector<std::string>> granted_scopes;  // nothing: what was asked
  };
  void set_consent(Consent consent);
  Consent consent() const;

  // For authenticate(): what an access token grants at `now` (Unix seconds).
  std::optional<OAuthGrant> lookup(const std::string& token, std::int64_t now) const;

  // The endpoints. `world` is read-only; `base_url` is the instance's URL.
  http::HttpResponse authorize(const World& world, const http::HttpRequest& request,
                               const std::string& base_url, std::int64_t now);
  http::HttpResponse token(const World& world, const http::HttpRequest& request, std::int64_t now);
  http::HttpResponse userinfo(const World& world, const http::HttpRequest& request,
                              const std::string& base_url, std::string_view today,
                              std::int64_t now) const;
  http::HttpResponse token_info(const World& world, const http::HttpRequest& request,
                                std::int64_t now) const;
  http::HttpResponse revoke(const World& world, const http::HttpRequest& request);

 private:
  struct Code {
    std::string client_id;
    std::string redirect_uri;
    Id user_id = 0;
    std::vector<std::string> scopes;
    std::string challenge;
    std::string challenge_method;
    std::int64_t expires = 0;
  };
  struct Access {
    Id user_id = 0;
    std::vector<std::string> scopes;
    std::string client_id;
    std::string refresh_token;
    std::int64_t created_at = 0;
    bool revoked = false;
  };

  std::string new_secret();  // REQUIRES: mutex_ held
  http::HttpResponse issue(Id user_id, std::vector<std::string> scopes,
                           const std::string& client_id, std::int64_t now);  // REQUIRES: held

  mutable std::mutex mutex_;
  SplitMix64 rng_;
  std::optional<std::string> logged_in_ = "provisioner";
  Consent consent_;
  std::map<std::string, Code> codes_;
  std::map<std::string, Access> access_;
  std::map<std::string, std::string> refresh_;  // refresh token -> access token
};

// True when `uri` is allowed by `pattern` ('*' matches any run of characters).
bool redirect_uri_allowed(const OAuthApplication& app, const std::string& uri);

// base64url(SHA-256(verifier)) without padding: the S256 code challenge.
std::string pkce_s256(const std::string& verifier);

}  // namespace provisio::sim
