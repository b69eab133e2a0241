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
// Connections are kept alive between requests; a connection that sends nothing for
// read_timeout is closed; a body over body_limit gets a 413.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
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
  std::chrono::seconds read_timeout{30};  // per request, and idle time between requests
  std::chrono::seconds write_timeout{30};
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

  // Closes the acceptor and the idle connections, lets requests in flight finish (answered with
  // "Connection: close"), then joins the I/O thread and the workers. A request still being received
  // may take up to read_timeout. Idempotent; a server cannot be started again.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace provisio::http
