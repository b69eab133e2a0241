#pragma once
// HttpTransport over libcurl's multi interface: one thread, many transfers, connections reused,
// HTTP/2 where the server offers it, TLS verification always on. Redirects are not followed: a
// redirect comes back as the 3xx answer it is (the client names the URL in its error).

#include <memory>
#include <optional>
#include <string>

#include "gitlab/http_transport.hpp"

namespace provisio::gitlab {

struct CurlOptions {
  std::optional<std::string> ca_bundle;  // a PEM file of trusted CAs; default: the system's
  std::optional<std::string> proxy;      // e.g. http://proxy:3128; default: libcurl's env rules
  std::chrono::milliseconds connect_timeout{10'000};
};

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  void start(TransportRequest request, Callback done) override;
  void wait(Millis deadline) override;
  std::size_t in_flight() const override;
  const Clock& clock() const override { return clock_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  SystemClock clock_;
};

}  // namespace provisio::gitlab
