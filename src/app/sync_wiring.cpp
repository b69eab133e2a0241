#include "app/sync_wiring.hpp"

#include <unistd.h>

#include "gitlab/curl_transport.hpp"

namespace provisio::app {

std::string node_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "node") + ":" + std::to_string(::getpid());
}

std::unique_ptr<sync::SyncService> make_sync_service(store::Store& store, const Clock& clock,
                                                     metrics::Registry* metrics) {
  sync::SyncOptions options;
  options.node_id = node_id();
  options.metrics = metrics;
  options.engine.metrics = metrics;
  return std::make_unique<sync::SyncService>(
      store, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock, options);
}

}  // namespace provisio::app
