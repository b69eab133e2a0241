#pragma once
// Start here for HTTP. The server accepts connections and turns each request into an
// HttpRequest for the Router; Beast and Asio stay inside server.cpp.
//
// Threading: one I/O thread, started by start(), runs the acceptor and every connection: it
// reads requests and writes answers, never blocking. The router's handlers run on a fixed pool
// of worker_threads threads (database calls and argon2id hashes block); the connection waits
// for its handler without holding up the I/O thread, and the answer is written back on the I/O
// thread. With worker_threads = 0 the handlers run on the I/O thread itself. A connection
// handles one request at a time, so at most one handler per connection is queued or running.
// Connections are kept alive between requests; a connection that sends nothing for idle_timeout
// is closed, a request's header must arrive within header_timeout of its first byte and its body
// within read_timeout; a body over body_limit gets a 413; a method outside the ones HTTP defines
// for resources (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS) gets a 501 before any routing.
//
// Connection limits: at most max_connections at once, and max_connections_per_address from one
// client address (an IPv6 client by its /64; trusted proxies carry many clients and are exempt).
// At a limit, a new connection first takes the place of the connection idle the longest (between
// requests, or still sending its first header), so idle sockets cannot lock others out; when
// every connection is busy with a request, the new one gets a 503 and is closed. start() lowers
// max_connections to what the process's file descriptor limit (RLIMIT_NOFILE) leaves after a
// reserve for the database, the GitLab client and files.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/ip_address.hpp"
#include "http/router.hpp"

namespace provisio::http {

// One line of the access log: no query string, no headers, no body (they may hold secrets).
struct AccessLogEntry {
  std::string remote_address;
  std::string method;
  std::string path;
  int status = 0;
  std::size_t response_bytes = 0;
  std::chrono::microseconds duration{0};
};

struct ServerOptions {
  std::string bind_address = "0.0.0.0";  // an IPv4 or IPv6 literal
  std::uint16_t port = 0;                // 0: any free port; start() says which
  std::size_t body_limit = std::size_t{1024} * 1024;
  std::chrono::seconds idle_timeout{30};    // waiting for the first byte of a request
  std::chrono::seconds header_timeout{10};  // from a request's first byte to its whole header
  std::chrono::seconds read_timeout{30};    // the body, after the header
  std::chrono::seconds write_timeout{30};
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_address = 256;
  // Peers allowed to set X-Forwarded-For and X-Forwarded-Proto (client_origin.hpp).
  std::vector<AddressRange> trusted_proxies;
  std::size_t worker_threads = 4;  // 0: handlers run on the I/O thread
  // Called on the I/O thread after each answer. When empty, the server logs a plain line at
  // debug level through spdlog's default logger.
  std::function<void(const AccessLogEntry&)> access_log;
};

// Thread safety: start() and stop() may be called from any thread except the I/O thread and
// the workers, not concurrently with each other. The router is shared read-only with the
// workers, so its handlers must be thread-safe.
class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();  // stops the server
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, then serves on a new I/O thread. Returns the bound port. kInvalidArgument
  // for a bad bind address, kUnavailable when the address cannot be bound, kFailedPrecondition
  // when already started.
  Result<std::uint16_t> start();

  // The connection limit in force (max_connections, lowered by start() to what the file
  // descriptor limit allows).
  std::size_t max_connections() const;

  // Closes the acceptor and the idle connections, lets requests in flight finish (answered with
  // "Connection: close"), then joins the I/O thread and the workers. A request still being received
  // may take up to read_timeout. Idempotent; a server cannot be started again.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace provisio::http
