#pragma once
// The token step of GitLab's OAuth authorization-code flow (CONTRACT.md §9.1): the code from the
// redirect, with the PKCE verifier and the application's credentials, becomes the user's access
// token. One POST, never retried: a code is good once, so a retry after a lost answer could only
// fail, and the user simply signs in again.

#include <string>
#include <vector>

#include "core/error.hpp"
#include "gitlab/http_transport.hpp"

namespace provisio::gitlab {

struct CodeExchange {
  std::string base_url;  // "https://gitlab.example.com", no trailing slash
  std::string client_id;
  std::string client_secret;
  std::string code;
  std::string redirect_uri;  // exactly the one sent to /oauth/authorize
  std::string code_verifier;
  std::chrono::milliseconds timeout{15'000};
};

struct OAuthTokens {
  std::string access_token;
  std::vector<std::string> scopes;  // what the user granted; may be fewer than asked
};

// kUnauthenticated when GitLab refuses the code (expired, used, or for another redirect URI) or
// the application's credentials; kUnavailable when GitLab cannot be reached or fails;
// kInvalidResponse when the answer has no token. Messages never contain a secret or the code.
Result<OAuthTokens> exchange_code(HttpTransport& transport, const CodeExchange& exchange);

}  // namespace provisio::gitlab
