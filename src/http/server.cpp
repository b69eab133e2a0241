#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "http/beast_request.hpp"
#include "http/error_response.hpp"
#include "http/target.hpp"

namespace provisio::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

using BeastResponse = bhttp::response<bhttp::string_body>;

// After a 413 the client may still be sending its body. Reading and discarding it (for a bounded
// time and size) lets the client read the answer instead of getting a connection reset.
constexpr std::size_t kDrainLimit = std::size_t{16} * 1024 * 1024;
constexpr std::chrono::seconds kDrainTimeout{5};
// A failing accept (e.g. out of file descriptors) is retried after this pause instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  bool reading = false;  // waiting in async_read
  std::string remote_address;
};

bool expects_continue(const BeastRequest& request) {
  return beast::iequals(request[bhttp::field::expect], "100-continue");
}

bool is_http_error(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Router router)
      : options_(std::move(options)), router_(std::move(router)) {
    if (options_.worker_threads > 0) {
      pool_ = std::make_unique<asio::thread_pool>(options_.worker_threads);
    }
  }

  ~Impl() { stop(); }

  Result<std::uint16_t> start() {
    std::lock_guard lock(mutex_);
    if (state_ != State::kNew) {
      return make_error(ErrorCode::kFailedPrecondition, "The HTTP server was already started.");
    }
    error_code ec;
    const auto address = asio::ip::make_address(options_.bind_address, ec);
    if (ec) {
      return make_error(ErrorCode::kInvalidArgument,
                        "'" + options_.bind_address + "' is not an IP address to listen on.");
    }
    const tcp::endpoint endpoint(address, options_.port);
    const auto fail = [&](std::string_view step) {
      error_code ignored;
      acceptor_.close(ignored);
      return make_error(ErrorCode::kUnavailable, std::string(step) + " " + options_.bind_address +
                                                     ":" + std::to_string(options_.port) +
                                                     " failed: " + ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) return fail("Opening a socket for");
    // Lets a restarted server bind while old connections linger in TIME_WAIT.
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return fail("Configuring");
    acceptor_.bind(endpoint, ec);
    if (ec) return fail("Binding");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail("Listening on");
    const std::uint16_t port = acceptor_.local_endpoint(ec).port();
    if (ec) return fail("Reading the address of");

    asio::co_spawn(io_, accept_loop(),
                   [](const std::exception_ptr& e) { log_failure("acceptor", e); });
    thread_ = std::thread([this] { run_io(); });
    state_ = State::kRunning;
    return port;
  }

  void stop() {
    std::lock_guard lock(mutex_);
    if (state_ == State::kRunning) {
      // Set here rather than on the I/O thread, so that a handler running now already answers
      // with "Connection: close".
      stopping_ = true;
      asio::post(io_, [this] { begin_stop(); });
      thread_.join();
    }
    // The I/O thread ended after every handler returned; the idle workers can go.
    if (pool_) pool_->join();
    state_ = State::kStopped;
  }

 private:
  enum class State { kNew, kRunning, kStopped };

  static void log_failure(std::string_view what, const std::exception_ptr& e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http {} ended by an exception: {}", what, ex.what());
    } catch (...) {
      spdlog::error("http {} ended by a non-standard exception", what);
    }
  }

  void run_io() {
    while (true) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http I/O thread caught an exception: {}", e.what());
      }
    }
  }

  // On the I/O thread. After this no connection starts a new request, and run() returns once
  // the requests in flight are answered.
  void begin_stop() {
    error_code ignored;
    acceptor_.close(ignored);
    for (Connection* connection : connections_) {
      const bool idle = connection->reading &&
                        !(connection->parser.has_value() && connection->parser->got_some());
      if (idle) connection->stream.cancel();
    }
    for (asio::steady_timer* timer : delays_) timer->cancel();
  }

  asio::awaitable<void> accept_loop() {
    while (true) {
      error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (stopping_ || !acceptor_.is_open()) co_return;
      if (ec) {
        spdlog::warn("http accept failed: {}", ec.message());
        asio::steady_timer pause(io_, kAcceptRetryDelay);
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      // Answers are written whole; Nagle would only delay them.
      socket.set_option(tcp::no_delay(true), ec);
      auto connection = std::make_shared<Connection>(std::move(socket));
      asio::co_spawn(io_, serve(connection),
                     [](const std::exception_ptr& e) { log_failure("connection", e); });
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<Connection> connection) {
    Connection& c = *connection;
    connections_.insert(&c);
    struct Unregister {
      std::set<Connection*>& set;
      Connection* c;
      ~Unregister() { set.erase(c); }
    } unregister{connections_, &c};

    error_code ec;
    c.remote_address = c.stream.socket().remote_endpoint(ec).address().to_string();
    while (!stopping_) {
      c.parser.emplace();
      c.parser->body_limit(options_.body_limit);
      c.stream.expires_after(options_.read_timeout);
      c.reading = true;
      co_await bhttp::async_read_header(c.stream, c.buffer, *c.parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      if (!ec && expects_continue(c.parser->get())) {
        // The client waits for this before sending its body (curl does for large bodies).
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_,
                                                 c.parser->get().version()};
        co_await bhttp::async_write(c.stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!ec) {
        co_await bhttp::async_read(c.stream, c.buffer, *c.parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      c.reading = false;
      const auto started = std::chrono::steady_clock::now();
      if (ec == bhttp::error::body_limit) {
        const auto& header = c.parser->get();
        co_await answer(
            c, error_response(path_of(header.target()), 413, "The request body is too large."),
            header.method_string(), path_of(header.target()), header.version(), false, started);
        co_await drain(c);
        break;
      }
      if (ec == bhttp::error::header_limit) {
        co_await answer(c, error_response("/", 431, "The request headers are too large."), "", "",
                        11, false, started);
        break;
      }
      if (ec) {
        // A clean close between requests, a timeout or a reset ends the connection silently;
        // anything the parser rejects gets a 400 first.
        const bool closed =
            ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message;
        if (is_http_error(ec) && !closed) {
          co_await answer(c, error_response("/", 400, "Malformed HTTP request."), "", "", 11, false,
                          started);
        }
        break;
      }

      BeastRequest& request = c.parser->get();
      const bool keep_alive = request.keep_alive();
      const std::string method(request.method_string());
      const std::string target(request.target());
      HttpResponse response;
      auto parsed = parse_target(target);
      if (!parsed) {
        response = error_response(path_of(target), 400, "Malformed request target.");
      } else {
        response = co_await handle(to_request(request, std::move(*parsed), c.remote_address));
      }
      if (response.delay.count() > 0 && !stopping_) co_await hold(response.delay);
      // Checked after the handler: a stop that began meanwhile closes this connection.
      const bool truncated = response.truncate_body_at.has_value();
      const bool ok = co_await answer(c, std::move(response), method, path_of(target),
                                      request.version(), keep_alive && !stopping_, started);
      if (!ok || !keep_alive || truncated) break;
    }
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c.stream.socket().close(ec);
  }

  // Runs the router on a worker and resumes on the I/O thread with its answer. The work guard
  // keeps io_.run() going while a handler runs, so stop() waits for it. (Plain lambdas rather
  // than a coroutine lambda: g++ 12 destroys a coroutine lambda's captures twice.)
  asio::awaitable<HttpResponse> handle(HttpRequest request) {
    if (!pool_) co_return router_.handle(std::move(request));
    auto initiation = [this](auto handler, HttpRequest r) {
      auto work = asio::make_work_guard(io_);
      asio::post(*pool_, [this, handler = std::move(handler), r = std::move(r),
                          work = std::move(work)]() mutable {
        HttpResponse response = router_.handle(std::move(r));
        asio::post(io_, [handler = std::move(handler), response = std::move(response)]() mutable {
          std::move(handler)(std::move(response));
        });
      });
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(HttpResponse)>(
        std::move(initiation), asio::use_awaitable, std::move(request));
  }

  // Writes the answer and logs it. False when the connection broke.
  asio::awaitable<bool> answer(Connection& c, HttpResponse response, std::string_view method,
                               std::string_view path, unsigned version, bool keep_alive,
                               std::chrono::steady_clock::time_point started) {
    BeastResponse out;
    out.version(version);
    out.result(static_cast<unsigned>(response.status));
    out.set(bhttp::field::server, "Provisio");
    if (!response.content_type.empty()) out.set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) out.insert(name, value);
    out.keep_alive(keep_alive);
    out.body() = std::move(response.body);
    out.prepare_payload();

    AccessLogEntry entry{c.remote_address, std::string(method), std::string(path),
                         response.status,  out.body().size(),   std::chrono::microseconds(0)};
    error_code ec;
    c.stream.expires_after(options_.write_timeout);
    if (response.truncate_body_at && *response.truncate_body_at < out.body().size()) {
      // The header announces the full Content-Length; only a prefix of the body follows, then
      // the caller closes the connection.
      bhttp::response_serializer<bhttp::string_body> serializer(out);
      co_await bhttp::async_write_header(c.stream, serializer,
                                         asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        co_await asio::async_write(c.stream,
                                   asio::buffer(out.body().data(), *response.truncate_body_at),
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      entry.response_bytes = *response.truncate_body_at;
    } else {
      co_await bhttp::async_write(c.stream, out, asio::redirect_error(asio::use_awaitable, ec));
    }
    entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    log_access(entry);
    co_return !ec;
  }

  // Waits on a timer of its own, so the I/O thread serves other connections meanwhile.
  // begin_stop() cancels every pending wait.
  asio::awaitable<void> hold(std::chrono::milliseconds delay) {
    asio::steady_timer timer(io_, delay);
    delays_.insert(&timer);
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    delays_.erase(&timer);
  }

  asio::awaitable<void> drain(Connection& c) {
    error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c.stream.expires_after(kDrainTimeout);
    std::array<char, 16384> scratch{};
    std::size_t total = 0;
    while (total < kDrainLimit) {
      const std::size_t n = co_await c.stream.async_read_some(
          asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      total += n;
    }
  }

  void log_access(const AccessLogEntry& entry) const {
    if (options_.access_log) {
      options_.access_log(entry);
      return;
    }
    spdlog::debug("{} {} {} -> {} ({} bytes, {} us)", entry.remote_address, entry.method,
                  entry.path, entry.status, entry.response_bytes, entry.duration.count());
  }

  const ServerOptions options_;
  const Router router_;
  asio::io_context io_{1};
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
  std::mutex mutex_;  // serialises start() and stop()
  State state_ = State::kNew;
  std::atomic<bool> stopping_{false};
  std::set<Connection*> connections_;        // touched on the I/O thread only
  std::set<asio::steady_timer*> delays_;     // responses held back; touched on the I/O thread only
  std::unique_ptr<asio::thread_pool> pool_;  // runs the handlers; null: on the I/O thread
};

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() = default;

Result<std::uint16_t> Server::start() { return impl_->start(); }

void Server::stop() { impl_->stop(); }

}  // namespace provisio::http
