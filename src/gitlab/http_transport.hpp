#pragma once
// The seam between the GitLab client and the network. The client starts requests and drives the
// transport's event loop; libcurl's multi interface implements it in production
// (curl_transport.hpp), a scripted transport with a simulated clock in tests.
//
// Threading: a transport is used from one thread only (the thread that runs the sync); its
// callbacks run on that thread, inside wait().

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace provisio::gitlab {

struct TransportRequest {
  std::string method = "GET";
  std::string url;  // absolute
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30'000};
};

// Why a request got no HTTP answer.
enum class TransportFailure {
  kNone,
  kTimeout,      // no complete answer within the request's timeout
  kConnection,   // refused, reset, or closed before the answer ended (truncated body)
  kUnreachable,  // name resolution or TLS failure: GitLab cannot be reached at this URL
};

struct TransportResponse {
  int status = 0;                              // 0 when failure != kNone
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  TransportFailure failure = TransportFailure::kNone;
  std::string failure_detail;  // for people: libcurl's message; never holds a token

  // The header's value, or empty.
  std::string header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpTransport {
 public:
  using Callback = std::function<void(TransportResponse)>;
  virtual ~HttpTransport() = default;

  // Starts a request; `done` runs inside a later wait(), exactly once.
  virtual void start(TransportRequest request, Callback done) = 0;

  // Runs transfers until at least one request finishes (its callback has run) or the clock
  // reaches `deadline`, whichever comes first. Returns at once when nothing is in flight and the
  // deadline has passed.
  virtual void wait(Millis deadline) = 0;

  virtual std::size_t in_flight() const = 0;

  // The clock whose time `deadline` is measured on.
  virtual const Clock& clock() const = 0;
};

}  // namespace provisio::gitlab
