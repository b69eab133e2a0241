#pragma once
// Who is calling, from the request's credentials, with GitLab's answers when that fails
// (CONTRACT.md §3). Credentials: `PRIVATE-TOKEN`, `Authorization: Bearer`, or the
// `private_token` / `access_token` query parameters; a personal access token from the world or
// an OAuth access token issued by /oauth/token.
//
// Checks, in GitLab's order: unknown token 401; revoked 401 invalid_token; expired (on or after
// its expiry date) 401 invalid_token; blocked owner 403 "Your account has been blocked."; missing
// scope 403 insufficient_scope; `Sudo` by a non-admin 403, by an admin token without the sudo
// scope 403 insufficient_scope. An invalid token is refused even where anonymous calls are
// allowed, as GitLab does.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "http/http_types.hpp"
#include "world.hpp"

namespace provisio::sim {

enum class Need {
  kAnyScope,  // any valid token (e.g. /personal_access_tokens/self)
  kReadUser,  // read_user, read_api or api
  kReadApi,   // read_api or api
};

struct AuthRule {
  bool anonymous_ok = false;
  Need need = Need::kReadApi;
};

struct Caller {
  const User* user = nullptr;    // nullptr: anonymous
  const Token* token = nullptr;  // the personal access token, when one was used
  std::vector<std::string> scopes;
  bool oauth = false;
};

// What an OAuth access token grants; see oauth.hpp.
struct OAuthGrant {
  Id user_id = 0;
  std::vector<std::string> scopes;
  bool expired = false;
  bool revoked = false;
};
using OAuthLookup = std::function<std::optional<OAuthGrant>(const std::string& token)>;

// The token the request carries, if any.
std::optional<std::string> request_token(const http::HttpRequest& request);

tl::expected<Caller, http::HttpResponse> authenticate(const World& world,
                                                      const http::HttpRequest& request,
                                                      const AuthRule& rule, std::string_view today,
                                                      const OAuthLookup& oauth);

}  // namespace provisio::sim
