#pragma once
// Who the client is when the server sits behind a reverse proxy or a load balancer. Only a peer
// listed as a trusted proxy may say, in X-Forwarded-For and X-Forwarded-Proto, whom it speaks for
// and whether the client used https: from anyone else those headers are ignored, or a guesser
// could write any address there and escape the login limiter's back-off. Pure function.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"

namespace provisio::http {

struct ClientOrigin {
  std::string address;    // the client's address
  bool over_tls = false;  // a trusted proxy received the request over https
};

// The client behind `peer`. When the peer is a trusted proxy, X-Forwarded-For is read from the
// right (each proxy appends the address it saw) past every trusted hop; the first untrusted
// address is the client. An entry that is not an address (with an optional port) ends the walk:
// the hop that wrote it is taken as the client. X-Forwarded-Proto "https" from a trusted peer
// marks the request as received over TLS.
ClientOrigin client_origin(std::string_view peer, std::optional<std::string_view> forwarded_for,
                           std::optional<std::string_view> forwarded_proto,
                           const std::vector<AddressRange>& trusted_proxies);

}  // namespace provisio::http
