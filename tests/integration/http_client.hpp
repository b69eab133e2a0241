#pragma once
// A tiny synchronous HTTP/1.1 client for tests: Beast over loopback, one request at a time.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace provisio::testing {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // as sent; a repeated name keeps its last value
  std::vector<std::string> set_cookies;        // every Set-Cookie line, in order
  bool keep_alive = false;
};

// A connection to 127.0.0.1:port. Throws boost::system::system_error on network errors, which
// GoogleTest reports as a failure of the test.
class HttpClient {
 public:
  // `source`: the local address to connect from (any of 127.0.0.0/8 on Linux), so that one test
  // can be several clients as the server sees them; empty: the system's choice.
  explicit HttpClient(std::uint16_t port, std::chrono::seconds timeout = std::chrono::seconds(10),
                      const std::string& source = "")
      : stream_(io_) {
    stream_.expires_after(timeout);
    if (!source.empty()) {
      stream_.socket().open(boost::asio::ip::tcp::v4());
      stream_.socket().bind(
          boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(source), 0));
    }
    stream_.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    timeout_ = timeout;
  }

  ClientResponse request(const std::string& method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    stream_.expires_after(timeout_);
    http::write(stream_, req);
    return read_response();
  }

  // Writes raw bytes, for requests a well-behaved client would not send.
  void write_raw(const std::string& bytes) {
    stream_.expires_after(timeout_);
    boost::asio::write(stream_, boost::asio::buffer(bytes));
  }

  ClientResponse read_response() {
    namespace http = boost::beast::http;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    stream_.expires_after(timeout_);
    http::read(stream_, buffer_, parser);
    const auto& res = parser.get();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    out.keep_alive = res.keep_alive();
    for (const auto& field : res) {
      out.headers[std::string(field.name_string())] = std::string(field.value());
      if (field.name() == http::field::set_cookie) out.set_cookies.emplace_back(field.value());
    }
    return out;
  }

  // True when the server closed the connection (a read ends with EOF or a reset).
  bool closed_by_server() {
    stream_.expires_after(timeout_);
    char byte = 0;
    boost::system::error_code ec;
    stream_.read_some(boost::asio::buffer(&byte, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::seconds timeout_;
};

// One request on a fresh connection.
inline ClientResponse http_get(std::uint16_t port, const std::string& target) {
  return HttpClient(port).request("GET", target);
}

}  // namespace provisio::testing
