#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "http/beast_request.hpp"
#include "http/client_origin.hpp"
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

// What a connection is doing, for the connection limits: only kIdle and kHeader connections may
// be closed to make room for a new one.
enum class Phase {
  kIdle,    // waiting for the first byte of a request
  kHeader,  // receiving a request's header
  kBody,    // receiving its body
  kBusy,    // its request is being handled or answered
};

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  Phase phase = Phase::kIdle;
  std::chrono::steady_clock::time_point since;  // when the phase began
  std::string peer;                             // the TCP peer's address
  std::string client;     // the client's address (the peer's, or forwarded by a trusted proxy)
  std::string limit_key;  // its per-address limit's key; empty for a trusted proxy (exempt)
  bool counted = false;   // counts against the limits; false once closed to make room
};

// The first read of a request: whatever has arrived, up to this much, before the header timer.
constexpr std::size_t kFirstRead = 4096;
// At least this many file descriptors (and a quarter of the limit) stay for everything else.
constexpr std::size_t kReservedDescriptors = 64;

// The whole answer to a connection over a limit, written without waiting (it fits the empty
// send buffer of a new socket).
const std::string& busy_answer() {
  static const std::string answer = [] {
    const std::string body =
        R"({"errors":[{"msg":"The server has too many connections; try again shortly."}],)"
        R"("message":"The server has too many connections; try again shortly."})";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: Provisio\r\nContent-Type: "
           "application/json\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return answer;
}

// The connection limit the file descriptor limit leaves room for.
std::size_t descriptor_bound(std::size_t wanted) {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return wanted;
  const auto available = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t reserve = std::max(kReservedDescriptors, available / 4);
  const std::size_t bound = available > reserve + 1 ? available - reserve : 1;
  return std::min(wanted, bound);
}

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
      : options_(std::move(options)),
        router_(std::move(router)),
        max_connections_(std::max<std::size_t>(1, options_.max_connections)) {
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
    if (const std::size_t bound = descriptor_bound(max_connections_); bound < max_connections_) {
      spdlog::warn(
          "http: at most {} connections instead of {}: the file descriptor limit (ulimit -n, "
          "LimitNOFILE) leaves no room for more",
          bound, max_connections_);
      max_connections_ = bound;
    }

    asio::co_spawn(io_, accept_loop(),
                   [](const std::exception_ptr& e) { log_failure("acceptor", e); });
    thread_ = std::thread([this] { run_io(); });
    state_ = State::kRunning;
    return port;
  }

  std::size_t max_connections() const { return max_connections_; }

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
      if (connection->phase == Phase::kIdle) connection->stream.cancel();
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
        // Out of file descriptors: an idle connection gives one back for the next client.
        if (ec == asio::error::no_descriptors) evict([](const Connection&) { return true; });
        asio::steady_timer pause(io_, kAcceptRetryDelay);
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      // Answers are written whole; Nagle would only delay them.
      socket.set_option(tcp::no_delay(true), ec);
      auto connection = std::make_shared<Connection>(std::move(socket));
      Connection& c = *connection;
      c.peer = unmapped_address(c.stream.socket().remote_endpoint(ec).address().to_string());
      c.client = c.peer;
      if (!in_ranges(c.peer, options_.trusted_proxies)) c.limit_key = limit_key(c.peer);
      if (!admit(c)) {
        refuse(c);
        continue;
      }
      asio::co_spawn(io_, serve(connection),
                     [](const std::exception_ptr& e) { log_failure("connection", e); });
    }
  }

  // Counts a new connection against the limits, first closing an idle one where a limit is
  // reached. False when every connection in its way is busy with a request.
  bool admit(Connection& c) {
    if (!c.limit_key.empty()) {
      const auto it = per_address_.find(c.limit_key);
      const bool full = it != per_address_.end() && it->second >= max_per_address();
      if (full && !evict([&](const Connection& o) { return o.limit_key == c.limit_key; })) {
        return false;
      }
    }
    if (counted_ >= max_connections_ && !evict([](const Connection&) { return true; })) {
      return false;
    }
    c.counted = true;
    ++counted_;
    if (!c.limit_key.empty()) ++per_address_[c.limit_key];
    // Known at once (serve() starts later): the next accept may have to close it to make room.
    enter(c, Phase::kIdle);
    connections_.insert(&c);
    return true;
  }

  void uncount(Connection& c) {
    if (!c.counted) return;
    c.counted = false;
    --counted_;
    if (c.limit_key.empty()) return;
    const auto it = per_address_.find(c.limit_key);
    if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  }

  // Closes the connection among `eligible` that has waited the longest between requests, or else
  // the one that has been sending its header the longest. False when there is none.
  template <typename Eligible>
  bool evict(const Eligible& eligible) {
    Connection* victim = nullptr;
    for (Connection* o : connections_) {
      if (!o->counted || !eligible(*o)) continue;
      if (o->phase != Phase::kIdle && o->phase != Phase::kHeader) continue;
      if (victim == nullptr) {
        victim = o;
        continue;
      }
      const bool idler = o->phase == Phase::kIdle && victim->phase != Phase::kIdle;
      const bool same = o->phase == victim->phase;
      if (idler || (same && o->since < victim->since)) victim = o;
    }
    if (victim == nullptr) return false;
    uncount(*victim);
    victim->stream.cancel();  // its read ends; serve() closes it
    ++evicted_;
    log_limits();
    return true;
  }

  // A connection over the limits: a 503, written without waiting, and closed.
  void refuse(Connection& c) {
    error_code ec;
    tcp::socket& socket = c.stream.socket();
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(busy_answer()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    ++refused_;
    log_limits();
  }

  // Once a minute at most: the limits are doing their job, and someone may be attacking.
  void log_limits() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_limit_log_ < std::chrono::minutes(1)) return;
    last_limit_log_ = now;
    spdlog::warn(
        "http: connection limits reached ({} in all, {} per address): {} idle connections closed "
        "and {} new ones refused since the last report",
        max_connections_, max_per_address(), evicted_, refused_);
    evicted_ = refused_ = 0;
  }

  std::size_t max_per_address() const {
    return std::max<std::size_t>(1, options_.max_connections_per_address);
  }

  static void enter(Connection& c, Phase phase) {
    c.phase = phase;
    c.since = std::chrono::steady_clock::now();
  }

  asio::awaitable<void> serve(std::shared_ptr<Connection> connection) {
    Connection& c = *connection;  // admit() registered it
    struct Unregister {
      Impl& impl;
      Connection* c;
      ~Unregister() {
        impl.uncount(*c);
        impl.connections_.erase(c);
      }
    } unregister{*this, &c};

    error_code ec;
    while (!stopping_ && c.counted) {
      c.parser.emplace();
      c.parser->body_limit(options_.body_limit);
      if (c.buffer.size() == 0) {
        enter(c, Phase::kIdle);
        c.stream.expires_after(options_.idle_timeout);
        const std::size_t n = co_await c.stream.async_read_some(
            c.buffer.prepare(kFirstRead), asio::redirect_error(asio::use_awaitable, ec));
        // A clean close between requests, the idle timeout, or closed to make room: silently.
        if (ec || !c.counted) break;
        c.buffer.commit(n);
      }
      enter(c, Phase::kHeader);
      c.stream.expires_after(options_.header_timeout);
      co_await bhttp::async_read_header(c.stream, c.buffer, *c.parser,
                                        asio::redirect_error(asio::use_awaitable, ec));
      if (!c.counted) break;
      if (!ec && expects_continue(c.parser->get())) {
        // The client waits for this before sending its body (curl does for large bodies).
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_,
                                                 c.parser->get().version()};
        co_await bhttp::async_write(c.stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!ec) {
        enter(c, Phase::kBody);
        c.stream.expires_after(options_.read_timeout);
        co_await bhttp::async_read(c.stream, c.buffer, *c.parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      enter(c, Phase::kBusy);
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
      if (!is_known_method(method)) {
        // Before routing: an unknown method never reaches a handler, a log line's route or a
        // metric's label (Beast accepts any token as a method).
        response = error_response(path_of(target), 501, "This method is not implemented.");
      } else if (!parsed) {
        response = error_response(path_of(target), 400, "Malformed request target.");
      } else {
        HttpRequest in = to_request(request, std::move(*parsed), c.peer);
        const ClientOrigin origin =
            client_origin(c.peer, in.header("x-forwarded-for"), in.header("x-forwarded-proto"),
                          options_.trusted_proxies);
        in.remote_address = c.client = origin.address;
        in.over_tls = origin.over_tls;
        response = co_await handle(std::move(in));
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

    AccessLogEntry entry{c.client,        std::string(method), std::string(path),
                         response.status, out.body().size(),   std::chrono::microseconds(0)};
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
  std::set<Connection*> connections_;  // touched on the I/O thread only
  // The connection limits' counts, the per-address ones by limit key; I/O thread only.
  std::size_t max_connections_;
  std::size_t counted_ = 0;
  std::map<std::string, std::size_t> per_address_;
  std::size_t evicted_ = 0, refused_ = 0;  // since the last report
  std::chrono::steady_clock::time_point last_limit_log_{};
  std::set<asio::steady_timer*> delays_;     // responses held back; touched on the I/O thread only
  std::unique_ptr<asio::thread_pool> pool_;  // runs the handlers; null: on the I/O thread
};

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() = default;

Result<std::uint16_t> Server::start() { return impl_->start(); }

std::size_t Server::max_connections() const { return impl_->max_connections(); }

void Server::stop() { impl_->stop(); }

}  // namespace provisio::http
