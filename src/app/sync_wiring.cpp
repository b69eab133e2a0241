#include "app/sync_wiring.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "gitlab/curl_transport.hpp"

namespace provisio::app {

std::string node_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "node") + ":" + std::to_string(::getpid());
}

Result<Millis> sync_lease_ms(const Getenv& getenv) {
  const auto text = getenv("PROVISIO_SYNC_LEASE_SECONDS");
  if (!text) return sync::SyncOptions{}.lease_ms;
  int seconds = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  if (ec != std::errc() || end != text->data() + text->size() || seconds < 1 || seconds > 3600) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the environment variable PROVISIO_SYNC_LEASE_SECONDS: '" + *text +
                          "' is not a number of seconds from 1 to 3600.");
  }
  return Millis{seconds} * 1000;
}

Result<sync::MembersApi> gitlab_read_api(const Getenv& getenv) {
  const auto text = getenv("PROVISIO_GITLAB_READ_API");
  if (!text || text->empty()) return sync::MembersApi::kGraphql;
  if (const auto api = sync::parse_members_api(*text)) return *api;
  return make_error(ErrorCode::kInvalidArgument,
                    "the environment variable PROVISIO_GITLAB_READ_API: '" + *text +
                        "' is neither 'graphql' nor 'rest'.");
}

std::unique_ptr<sync::SyncService> make_sync_service(store::Store& store, const Clock& clock,
                                                     metrics::Registry* metrics, Millis lease_ms,
                                                     sync::MembersApi members_api) {
  sync::SyncOptions options;
  options.members_api = members_api;
  options.node_id = node_id();
  options.lease_ms = lease_ms;
  options.heartbeat_ms = std::max<Millis>(lease_ms / 6, 100);
  options.metrics = metrics;
  options.engine.metrics = metrics;
  return std::make_unique<sync::SyncService>(
      store, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock, options);
}

}  // namespace provisio::app
