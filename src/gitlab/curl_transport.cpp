#include "gitlab/curl_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace provisio::gitlab {
namespace {

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void ensure_global_init() { static const GlobalInit once; }

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  TransportRequest request;
  TransportResponse response;
  HttpTransport::Callback done;
  char error[CURL_ERROR_SIZE] = {};
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->response.body.append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new answer (e.g. after 100 Continue)
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    auto& slot = t->response.headers[name];
    slot = slot.empty() ? std::string(value) : slot + ", " + std::string(value);
  }
  return size * count;
}

TransportFailure failure_of(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportFailure::kNone;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return TransportFailure::kUnreachable;
    default:
      // Refused, reset, closed early, a body shorter than its Content-Length, ...
      return TransportFailure::kConnection;
  }
}

}  // namespace

struct CurlTransport::Impl {
  CurlOptions options;
  CURLM* multi = nullptr;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers;
};

CurlTransport::CurlTransport(CurlOptions options) : impl_(std::make_unique<Impl>()) {
  ensure_global_init();
  impl_->options = std::move(options);
  impl_->multi = curl_multi_init();
  // Reuse connections; let HTTP/2 carry several transfers on one connection.
  curl_multi_setopt(impl_->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
}

CurlTransport::~CurlTransport() {
  for (auto& [easy, t] : impl_->transfers) {
    curl_multi_remove_handle(impl_->multi, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(t->headers);
  }
  curl_multi_cleanup(impl_->multi);
}

void CurlTransport::start(TransportRequest request, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  CURL* e = curl_easy_init();
  t->easy = e;
  curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(t->request.timeout.count()));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(impl_->options.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // gzip when GitLab offers it
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "Provisio");
  if (impl_->options.ca_bundle)
    curl_easy_setopt(e, CURLOPT_CAINFO, impl_->options.ca_bundle->c_str());
  if (impl_->options.proxy) curl_easy_setopt(e, CURLOPT_PROXY, impl_->options.proxy->c_str());
  for (const auto& [name, value] : t->request.headers) {
    t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  if (t->request.method == "POST") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(t->request.body.size()));
  } else if (t->request.method != "GET") {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->request.method.c_str());
  }
  curl_multi_add_handle(impl_->multi, e);
  impl_->transfers.emplace(e, std::move(t));
}

std::size_t CurlTransport::in_flight() const { return impl_->transfers.size(); }

void CurlTransport::wait(Millis deadline) {
  bool finished_one = false;
  while (!finished_one) {
    int running = 0;
    curl_multi_perform(impl_->multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(impl_->multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      auto node = impl_->transfers.extract(e);
      curl_multi_remove_handle(impl_->multi, e);
      std::unique_ptr<Transfer> t = std::move(node.mapped());
      const CURLcode code = msg->data.result;
      if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        t->response.status = static_cast<int>(status);
      } else {
        t->response.status = 0;
        t->response.failure = failure_of(code);
        t->response.failure_detail = t->error[0] != '\0' ? t->error : curl_easy_strerror(code);
        t->response.body.clear();
      }
      curl_easy_cleanup(e);
      curl_slist_free_all(t->headers);
      t->headers = nullptr;
      t->done(std::move(t->response));
      finished_one = true;
    }
    if (finished_one) break;
    const Millis now = clock_.now();
    if (now >= deadline) break;
    if (impl_->transfers.empty()) {
      // Nothing to wait for but the deadline: sleep until it.
      const Millis ms = std::min<Millis>(deadline - now, 60'000);
      curl_multi_poll(impl_->multi, nullptr, 0, static_cast<int>(ms), nullptr);
      if (clock_.now() >= deadline) break;
      continue;
    }
    const Millis ms = std::min<Millis>(deadline - now, 1'000);
    curl_multi_poll(impl_->multi, nullptr, 0, static_cast<int>(std::max<Millis>(ms, 1)), nullptr);
  }
}

}  // namespace provisio::gitlab
