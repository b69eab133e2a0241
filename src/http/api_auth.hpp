#pragma once
// The middleware around every API handler: who is calling (a session cookie with its CSRF
// token, `Authorization: Bearer <user token>`, or HTTP Basic with a token as the user name and an
// empty password, or a local user's login and password), whether they may call the route, and
// the mapping of a handler's Error to the v1 or v2 error body.
//
// CSRF: a state-changing request (any method but GET and HEAD) to a non-public route,
// authenticated by the session cookie, must echo the session's XSRF-TOKEN cookie in the
// X-XSRF-TOKEN header, else 403. Bearer and Basic callers are exempt: a browser never adds those
// headers by itself. The public routes (login and logout, which have no session to bind a token
// to yet) are exempt from the token, but not from the origin check: a state-changing request
// without an Authorization header whose Origin (or, without one, Referer) names another site
// gets a 403, so no page elsewhere can log a browser in or out (an API client sends neither
// header and is not concerned).

#include <string_view>

#include "http/api.hpp"
#include "http/router.hpp"

namespace provisio::http {

inline constexpr std::string_view kSessionCookie = "PROVISIO_SESSION";
inline constexpr std::string_view kCsrfCookie = "XSRF-TOKEN";
inline constexpr std::string_view kCsrfHeader = "X-XSRF-TOKEN";

// Whether the server's cookies are Secure (and prefixed, cookies.hpp) for this request: the
// server URL is https, or a trusted proxy received the request over TLS.
bool secure_request(const ApiContext& context, const HttpRequest& request);

// Identifies the caller. Presented credentials that are wrong (an unknown token, a bad
// password, an expired session) are kUnauthenticated; no credentials at all is an anonymous
// caller. kRateLimited when Basic login attempts are over the limit.
Result<Caller> identify(ApiContext& context, const HttpRequest& request);

// True when `user` holds the global `admin` permission, directly or through a group.
Result<bool> is_admin(store::Store& store, const User& user);

// Runs the route's handler behind identification, the access rule and the CSRF check.
HttpResponse call_route(ApiContext& context, const ApiRoute& route, const HttpRequest& request);

}  // namespace provisio::http
