#include "gitlab/errors.hpp"

#include <nlohmann/json.hpp>

namespace provisio::gitlab {
namespace {

std::string json_string(const nlohmann::json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return {};
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

bool is_retryable(const TransportResponse& r) {
  if (r.failure == TransportFailure::kTimeout || r.failure == TransportFailure::kConnection) {
    return true;
  }
  return r.failure == TransportFailure::kNone && r.status >= 500;
}

Error classify_failure(const TransportResponse& r, const std::string& url, const Subject& subject) {
  switch (r.failure) {
    case TransportFailure::kTimeout:
      return {ErrorCode::kUnavailable, "GitLab did not answer in time while reading " +
                                           subject.description + " (" + url + ")."};
    case TransportFailure::kConnection:
      return {ErrorCode::kUnavailable, "The connection to GitLab failed while reading " +
                                           subject.description + " (" + url +
                                           "): " + r.failure_detail + "."};
    case TransportFailure::kUnreachable:
      return {ErrorCode::kUnavailable, "GitLab is unreachable at " + url + ": " + r.failure_detail +
                                           ". Check the GitLab URL and the network."};
    case TransportFailure::kNone:
      break;
  }
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  const std::string error = json_string(body, "error");
  const std::string description = json_string(body, "error_description");
  if (r.status >= 300 && r.status < 400) {
    const std::string location = r.header("location");
    return {ErrorCode::kInvalidResponse,
            "GitLab redirected " + url + (location.empty() ? "" : " to " + location) +
                ": set the GitLab URL to the address GitLab answers on (often https://...)."};
  }
  if (r.status == 401) {
    if (contains(description, "expired")) {
      return {ErrorCode::kUnauthenticated,
              "The GitLab token has expired. Create a new token with the read_api scope and "
              "save it as the provisioning token."};
    }
    if (contains(description, "revoked")) {
      return {ErrorCode::kUnauthenticated,
              "The GitLab token was revoked. Create a new token with the read_api scope and "
              "save it as the provisioning token."};
    }
    return {ErrorCode::kUnauthenticated,
            "GitLab does not accept the token (invalid or unknown). Check that the token was "
            "copied whole and belongs to this GitLab."};
  }
  if (r.status == 403) {
    if (error == "insufficient_scope") {
      const std::string scope = json_string(body, "scope");
      return {ErrorCode::kPermissionDenied, "The GitLab token lacks the scope needed (" +
                                                (scope.empty() ? std::string("read_api") : scope) +
                                                "): create a token with the read_api scope."};
    }
    return {ErrorCode::kPermissionDenied,
            "GitLab refused access to " + subject.description + " (403 Forbidden)."};
  }
  if (r.status == 404) {
    return {ErrorCode::kNotFound, "GitLab did not find " + subject.description +
                                      ", or the token's user may not see it (404)."};
  }
  if (r.status == 405 || r.status == 400) {
    const std::string message = json_string(body, "message").empty() ? json_string(body, "error")
                                                                     : json_string(body, "message");
    return {ErrorCode::kInvalidResponse, "GitLab refused the request for " + subject.description +
                                             " (" + std::to_string(r.status) + "): " + message};
  }
  if (r.status == 429) {
    return {ErrorCode::kRateLimited, "GitLab kept answering 429 (rate limit) while reading " +
                                         subject.description +
                                         "; try again later or raise "
                                         "the limit for the token's user."};
  }
  if (r.status >= 500) {
    return {ErrorCode::kUnavailable, "GitLab answered " + std::to_string(r.status) +
                                         " while reading " + subject.description + " (" + url +
                                         ")."};
  }
  return {ErrorCode::kInvalidResponse, "GitLab answered " + std::to_string(r.status) +
                                           " while reading " + subject.description + " (" + url +
                                           ")."};
}

}  // namespace provisio::gitlab
