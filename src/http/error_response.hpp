#pragma once
// The one place where an Error becomes an HTTP status and body (api.md "Errors"): v1 paths answer
// {"errors":[{"msg":"..."}]}, paths under /api/v2/ answer {"message":"..."}.

#include <string_view>

#include "core/error.hpp"
#include "http/http_types.hpp"

namespace provisio::http {

// kInvalidArgument and kFailedPrecondition -> 400, kUnauthenticated -> 401,
// kPermissionDenied -> 403, kNotFound -> 404, kAlreadyExists -> 409, kRateLimited -> 429,
// kUnavailable -> 503, anything else -> 500.
int http_status(ErrorCode code);

// True for paths whose errors use the v2 shape.
bool is_v2_path(std::string_view path);

// An error answer in the shape `path` calls for. `message` is shown to the caller as it is.
HttpResponse error_response(std::string_view path, int status, std::string_view message);

// The answer for an Error. Internal errors get a generic message: their text is for the log,
// since it may describe the server's internals.
HttpResponse error_response(std::string_view path, const Error& error);

}  // namespace provisio::http
