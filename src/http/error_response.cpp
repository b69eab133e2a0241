#include "http/error_response.hpp"

#include <nlohmann/json.hpp>

namespace provisio::http {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kFailedPrecondition:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInvalidResponse:  // an upstream (GitLab) answered nonsense
      return 502;
    case ErrorCode::kAborted:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

bool is_v2_path(std::string_view path) { return path.rfind("/api/v2/", 0) == 0; }

HttpResponse error_response(std::string_view path, int status, std::string_view message) {
  nlohmann::json body;
  if (is_v2_path(path)) {
    body = {{"message", message}};
  } else {
    body = {{"errors", nlohmann::json::array({{{"msg", message}}})}};
  }
  HttpResponse response;
  response.status = status;
  // Replace rather than throw on invalid UTF-8: a message may quote the caller's input.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse error_response(std::string_view path, const Error& error) {
  const int status = http_status(error.code);
  if (status == 500) return error_response(path, status, "An internal error occurred.");
  return error_response(path, status, error.message);
}

}  // namespace provisio::http
