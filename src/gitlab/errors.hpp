#pragma once
// Turns GitLab's failed answers into Errors an administrator can act on (CONTRACT.md §3.3):
// each token problem gets its own message, a 404 names what was not found, a redirect names the
// URL. Pure. Messages never contain the token.

#include <string>

#include "core/error.hpp"
#include "gitlab/http_transport.hpp"

namespace provisio::gitlab {

// What a request was reading, for messages: e.g. "the GitLab group 'acme'".
struct Subject {
  std::string description;
};

// The error for an answer that is not a success (status outside 2xx, or no answer at all).
// `url` is the request's URL without its query string.
Error classify_failure(const TransportResponse& response, const std::string& url,
                       const Subject& subject);

// True for answers worth retrying: 5xx, timeouts, connection failures. 429 is handled apart.
bool is_retryable(const TransportResponse& response);

}  // namespace provisio::gitlab
