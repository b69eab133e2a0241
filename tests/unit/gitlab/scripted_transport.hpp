#pragma once
// A transport for unit tests: answers come from a function of the request, after a fixed
// simulated latency on a ManualClock. No sockets, no sleeping: wait() moves the clock to the
// next answer (or the deadline) at once.

#include <functional>
#include <map>
#include <vector>

#include "gitlab/http_transport.hpp"

namespace provisio::gitlab::testing {

class ScriptedTransport final : public HttpTransport {
 public:
  using Script = std::function<TransportResponse(const TransportRequest&)>;
  struct Started {
    Millis at;
    TransportRequest request;
  };

  ScriptedTransport(ManualClock& clock, Script script, Millis latency = 20)
      : clock_(clock), script_(std::move(script)), latency_(latency) {}

  void start(TransportRequest request, Callback done) override {
    log_.push_back({clock_.now(), request});
    TransportResponse response = script_(request);
    pending_.emplace(clock_.now() + latency_, Pending{std::move(response), std::move(done)});
    max_in_flight_ = std::max(max_in_flight_, pending_.size());
  }

  void wait(Millis deadline) override {
    if (pending_.empty() || pending_.begin()->first > deadline) {
      clock_.set(std::max(clock_.now(), deadline));
      return;
    }
    const Millis at = pending_.begin()->first;
    clock_.set(std::max(clock_.now(), at));
    while (!pending_.empty() && pending_.begin()->first == at) {
      Pending p = std::move(pending_.begin()->second);
      pending_.erase(pending_.begin());
      p.done(std::move(p.response));
    }
  }

  std::size_t in_flight() const override { return pending_.size(); }
  const Clock& clock() const override { return clock_; }

  const std::vector<Started>& log() const { return log_; }
  std::size_t max_in_flight() const { return max_in_flight_; }

 private:
  struct Pending {
    TransportResponse response;
    Callback done;
  };
  ManualClock& clock_;
  Script script_;
  Millis latency_;
  std::multimap<Millis, Pending> pending_;
  std::vector<Started> log_;
  std::size_t max_in_flight_ = 0;
};

// Answers for scripts.
inline TransportResponse json_answer(std::string body, int status = 200,
                                     std::map<std::string, std::string> headers = {}) {
  TransportResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

// The path and query of a request's URL: "https://gitlab.test/api/v4/x?y" -> "/x?y".
inline std::string api_target(const TransportRequest& r) {
  const auto at = r.url.find("/api/v4");
  return at == std::string::npos ? r.url : r.url.substr(at + 7);
}

// The value of a query parameter, or empty.
inline std::string query_param(const TransportRequest& r, const std::string& name) {
  const auto q = r.url.find('?');
  if (q == std::string::npos) return {};
  std::string query = "&" + r.url.substr(q + 1) + "&";
  const auto at = query.find("&" + name + "=");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 2;
  return query.substr(start, query.find('&', start) - start);
}

}  // namespace provisio::gitlab::testing
