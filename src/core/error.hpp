#pragma once
// Errors are values. One vocabulary of codes for every layer, each saying what the caller can do
// about it (in the spirit of absl::StatusCode). Library exceptions are caught at the adapter
// boundary and turned into an Error; nothing throws across a module border.

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace provisio {

enum class ErrorCode {
  kInvalidArgument,     // the caller's input is wrong: fix the input, do not retry
  kNotFound,            // the thing does not exist (or may not be seen)
  kAlreadyExists,       // a unique name or key is taken
  kFailedPrecondition,  // the system is not in a state that allows this (e.g. managed instance)
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // credentials missing, invalid, expired or revoked
  kRateLimited,         // slow down and retry later
  kUnavailable,         // transient: a retry with backoff may succeed
  kAborted,             // a concurrent change won; retry the whole operation
  kInvalidResponse,     // a peer answered what we cannot use (malformed body, redirect)
  kInternal,            // a bug or a broken invariant
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // for a person; never contains a secret
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> make_error(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace provisio
