#pragma once
// Set-Cookie lines. Every cookie of the server is SameSite=Lax: sent on a top-level navigation
// from another site (the OAuth redirect back from GitLab needs that), never on a cross-site
// form post or fetch. A Secure cookie (the server URL is https, or a trusted proxy received the
// request over TLS) carries a name prefix that browsers enforce: "__Host-" (only from this host,
// over https, Path=/, no Domain, so a sibling site or a plain-http man in the middle cannot
// plant one), or "__Secure-" for a cookie bound to a narrower path, which __Host- does not
// allow. Internal to src/http.

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

// The name a cookie has on the wire: `name`, prefixed when `secure`.
std::string wire_name(std::string_view name, bool secure, std::string_view path = "/");

// "NAME=value; Path=...; Max-Age=...; SameSite=Lax[; HttpOnly][; Secure]", NAME as wire_name().
std::string cookie_line(std::string_view name, std::string_view value,
                        const CookieOptions& options);

}  // namespace provisio::http
