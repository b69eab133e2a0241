#pragma once
// The request and response that handlers and tests see: plain structs, no Beast types, so a
// handler is a function of values and is unit-tested without sockets.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace provisio::http {

struct HttpRequest {
  std::string method;                        // upper case as sent: "GET", "POST", ...
  std::string path;                          // the target without its query, still percent-encoded
  std::map<std::string, std::string> query;  // decoded; the last value of a repeated key
  std::map<std::string, std::string> headers;      // names in lower case; repeats joined by ", "
  std::map<std::string, std::string> path_params;  // decoded `{param}` segments, set by Router
  std::string body;
  // The client's IP address, as text: the peer's, or the one a trusted proxy forwarded for
  // (client_origin.hpp).
  std::string remote_address;
  bool over_tls = false;  // a trusted proxy received it over https (X-Forwarded-Proto)

  // The header's value, looked up case-insensitively; nothing when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // The query parameter's value; nothing when absent.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

// True for the methods HTTP defines for resources (GET, HEAD, POST, PUT, PATCH, DELETE,
// OPTIONS), as sent (upper case). The server answers any other with 501 before routing: Beast
// accepts any token as a method, and nothing built from it may become a log route or a label.
bool is_known_method(std::string_view method);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Headers beyond Content-Type and Content-Length; a name may repeat (Set-Cookie).
  std::vector<std::pair<std::string, std::string>> headers;
  // Held back this long before it is written, without blocking the I/O thread (an Asio timer);
  // other connections are served meanwhile. A stop of the server cuts the wait short. Used by
  // the GitLab simulator to model latency and timeouts.
  std::chrono::milliseconds delay{0};
  // When set (and smaller than the body), the headers announce the whole body's Content-Length
  // but only this many bytes of it are written, then the connection is closed: a truncated
  // answer, as a dying upstream sends. Used by the GitLab simulator's faults.
  std::optional<std::size_t> truncate_body_at;
};

}  // namespace provisio::http
