#pragma once
// The browser's half of "Log in with GitLab" (behaviour.md §4, CONTRACT.md §9.1): the redirect to
// GitLab's /oauth/authorize with a state and a PKCE S256 challenge, and, at the callback, the
// checks that the answer belongs to a login this browser started.
//
// Nothing is kept on the server between the two requests: the state, the PKCE verifier and the
// page to return to travel in a cookie sealed with the server's SecretBox (so any node sharing
// the key can finish a login another started), HttpOnly, bound to the callback path, valid ten
// minutes, and good once (the callback clears it). The state in GitLab's redirect must equal the
// cookie's, so a callback URL forged or replayed in another browser is refused.

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"
#include "store/secret_box.hpp"

namespace provisio::auth {

inline constexpr std::string_view kOAuthCookie = "provisio_oauth";
inline constexpr std::string_view kCallbackPath = "/oauth2/callback/gitlab";
inline constexpr Millis kOAuthFlowTtl = Millis{10} * 60 * 1000;

struct PendingLogin {
  std::string state;
  std::string code_verifier;
  std::string return_to;  // a path on this server
  Millis expires_at = 0;
};

struct AuthorizeRequest {
  std::string gitlab_url;  // no trailing slash
  std::string client_id;
  std::string redirect_uri;
  std::string scope;  // "read_api" or "read_user" (sync/gitlab_login.hpp: login_scope)
};

// A new pending login: fresh random state and verifier, `return_to` made safe.
PendingLogin new_pending_login(std::string_view return_to, Millis now);

// base64url(SHA-256(verifier)) without padding.
std::string pkce_challenge(std::string_view verifier);

// GitLab's /oauth/authorize URL for this login.
std::string authorize_url(const AuthorizeRequest& request, const PendingLogin& pending);

// `requested` when it is a path on this server ("/projects?x=1"), else "/". Refuses what a
// browser would take to another origin ("//evil", "/\evil", "https://evil", control characters)
// and the login endpoints themselves.
std::string safe_return_to(std::string_view requested);

// The cookie value, and back. open_pending() fails (kUnauthenticated, a message for a person)
// when the cookie is missing, altered, sealed with another key, or expired.
std::string seal_pending(const store::SecretBox& box, const PendingLogin& pending);
Result<PendingLogin> open_pending(const store::SecretBox& box,
                                  const std::optional<std::string>& cookie, Millis now);

// The callback's state against the pending login's, in constant time.
bool state_matches(const PendingLogin& pending, std::string_view state);

}  // namespace provisio::auth
