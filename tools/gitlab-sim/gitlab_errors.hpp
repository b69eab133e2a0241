#pragma once
// GitLab's error answers, body for body (CONTRACT.md §3.3 and examples/error_*.json).

#include <string>
#include <string_view>

#include "http/http_types.hpp"

namespace provisio::sim {

// 401 {"message":"401 Unauthorized"}: no credentials, or credentials GitLab does not know.
http::HttpResponse unauthorized();
// 401 {"error":"invalid_token","error_description":...} with WWW-Authenticate.
http::HttpResponse token_expired();
http::HttpResponse token_revoked();
// 403 {"error":"insufficient_scope",...,"scope":"<needed>"}; no WWW-Authenticate (code note).
http::HttpResponse insufficient_scope(std::string_view needed);
// 403 {"message":"403 Forbidden"} or {"message":"403 Forbidden - <reason>"}.
http::HttpResponse forbidden(std::string_view reason = {});
// 404 {"message":"404 <what> Not Found"}, e.g. what = "Group".
http::HttpResponse not_found(std::string_view what);
// 404 {"error":"404 Not Found"}: a path the API does not have.
http::HttpResponse route_not_found();
// 400 {"message":"400 (Bad request) \"<param>\" not given"}.
http::HttpResponse missing_param(std::string_view param);
// 400 {"error":"<param> does not have a valid value"} (Grape's validation message).
http::HttpResponse invalid_param(std::string_view param);
// 405 past the offset limit, for a resource of `type` ("Project", "User", "Group").
http::HttpResponse offset_limit_exceeded(std::string_view type);
// 405 {"error":"Keyset pagination is not yet available for this type of request"}.
http::HttpResponse keyset_unsupported();

// Plain JSON with a status, keys in the order written.
http::HttpResponse json_answer(int status, std::string body);

}  // namespace provisio::sim
