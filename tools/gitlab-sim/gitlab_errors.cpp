#include "gitlab_errors.hpp"

#include <nlohmann/json.hpp>

#include "pagination.hpp"

namespace provisio::sim {
namespace {

using nlohmann::ordered_json;

http::HttpResponse answer(int status, const ordered_json& body) {
  return json_answer(status, body.dump());
}

http::HttpResponse invalid_token(std::string_view description) {
  http::HttpResponse r =
      answer(401, ordered_json{{"error", "invalid_token"}, {"error_description", description}});
  r.headers.emplace_back("WWW-Authenticate",
                         "Bearer realm=\"\", error=\"invalid_token\", error_description=\"" +
                             std::string(description) + "\"");
  return r;
}

}  // namespace

http::HttpResponse json_answer(int status, std::string body) {
  http::HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

http::HttpResponse unauthorized() { return answer(401, {{"message", "401 Unauthorized"}}); }

http::HttpResponse token_expired() {
  return invalid_token("Token is expired. You can either do re-authorization or token refresh.");
}

http::HttpResponse token_revoked() {
  return invalid_token("Token was revoked. You have to re-authorize from the user.");
}

http::HttpResponse insufficient_scope(std::string_view needed) {
  return answer(403, {{"error", "insufficient_scope"},
                      {"error_description",
                       "The request requires higher privileges than provided by the access token."},
                      {"scope", needed}});
}

http::HttpResponse forbidden(std::string_view reason) {
  std::string message = "403 Forbidden";
  if (!reason.empty()) message += " - " + std::string(reason);
  return answer(403, {{"message", message}});
}

http::HttpResponse not_found(std::string_view what) {
  return answer(404, {{"message", "404 " + std::string(what) + " Not Found"}});
}

http::HttpResponse route_not_found() { return answer(404, {{"error", "404 Not Found"}}); }

http::HttpResponse missing_param(std::string_view param) {
  return answer(400, {{"message", "400 (Bad request) \"" + std::string(param) + "\" not given"}});
}

http::HttpResponse invalid_param(std::string_view param) {
  return answer(400, {{"error", std::string(param) + " does not have a valid value"}});
}

http::HttpResponse offset_limit_exceeded(std::string_view type) {
  return answer(
      405,
      {{"error", "Offset pagination has a maximum allowed offset of " + std::to_string(kMaxOffset) +
                     " for requests that return objects of type " + std::string(type) +
                     ". Remaining records can be retrieved using keyset "
                     "pagination."}});
}

http::HttpResponse keyset_unsupported() {
  return answer(405,
                {{"error", "Keyset pagination is not yet available for this type of request"}});
}

}  // namespace provisio::sim
