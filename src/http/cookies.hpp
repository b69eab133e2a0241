#pragma once
// Set-Cookie lines. Every cookie of the server is SameSite=Lax: sent on a top-level navigation
// from another site (the OAuth redirect back from GitLab needs that), never on a cross-site
// form post or fetch. Internal to src/http.

#include <string>
#include <string_view>

#include "core/time.hpp"

namespace provisio::http {

struct CookieOptions {
  Millis max_age_ms = 0;  // 0: delete the cookie
  bool http_only = true;  // false only for what the page's script must read
  bool secure = false;    // set when the server URL is https
  std::string_view path = "/";
};

std::string cookie_line(std::string_view name, std::string_view value,
                        const CookieOptions& options);

}  // namespace provisio::http
