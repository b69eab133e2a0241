#pragma once
// A transport that hands each request to a router in the same process (the simulator's), with
// no sockets: for tests that read whole worlds through the real GitLab client fast.

#include <deque>

#include "gitlab/http_transport.hpp"
#include "http/router.hpp"
#include "http/target.hpp"

namespace provisio::testing {

class InProcessTransport final : public gitlab::HttpTransport {
 public:
  explicit InProcessTransport(const http::Router& router) : router_(router) {}

  void start(gitlab::TransportRequest request, Callback done) override {
    queue_.push_back({std::move(request), std::move(done)});
  }

  void wait(Millis) override {
    if (queue_.empty()) return;
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    p.done(answer(p.request));
  }

  std::size_t in_flight() const override { return queue_.size(); }
  const Clock& clock() const override { return clock_; }
  std::int64_t requests() const { return requests_; }

 private:
  struct Pending {
    gitlab::TransportRequest request;
    Callback done;
  };

  gitlab::TransportResponse answer(const gitlab::TransportRequest& r) {
    ++requests_;
    const auto scheme = r.url.find("://");
    const auto path_start = r.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    auto target = http::parse_target(r.url.substr(path_start));
    http::HttpRequest request;
    request.method = r.method;
    request.path = target->path;
    request.query = target->query;
    request.body = r.body;
    for (const auto& [name, value] : r.headers) {
      std::string key = name;
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[key] = value;
    }
    request.headers["host"] = "gitlab.test";
    request.remote_address = "127.0.0.1";
    const http::HttpResponse response = router_.handle(request);
    gitlab::TransportResponse out;
    out.status = response.status;
    out.body = response.body;
    for (const auto& [name, value] : response.headers) {
      std::string key = name;
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[key] = value;
    }
    return out;
  }

  const http::Router& router_;
  std::deque<Pending> queue_;
  SystemClock clock_;
  std::int64_t requests_ = 0;
};

}  // namespace provisio::testing
