#include "http/client_origin.hpp"

#include <cctype>

namespace provisio::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "10.0.0.1", "10.0.0.1:4711", "[::1]:4711" or "::1" -> the address; nothing otherwise.
std::optional<std::string> address_of(std::string_view entry) {
  if (!entry.empty() && entry.front() == '[') {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    entry = entry.substr(1, close - 1);
  } else if (entry.find(':') == entry.rfind(':') && entry.find(':') != std::string_view::npos) {
    entry = entry.substr(0, entry.find(':'));  // IPv4 with a port
  }
  if (!parse_ip(entry)) return std::nullopt;
  return unmapped_address(entry);
}

bool is_https(std::string_view proto) {
  proto = trim(proto.substr(0, proto.find(',')));
  if (proto.size() != 5) return false;
  for (std::size_t i = 0; i < 5; ++i) {
    if (std::tolower(static_cast<unsigned char>(proto[i])) != "https"[i]) return false;
  }
  return true;
}

}  // namespace

ClientOrigin client_origin(std::string_view peer, std::optional<std::string_view> forwarded_for,
                           std::optional<std::string_view> forwarded_proto,
                           const std::vector<AddressRange>& trusted_proxies) {
  ClientOrigin out{unmapped_address(peer), false};
  if (trusted_proxies.empty() || !in_ranges(out.address, trusted_proxies)) return out;
  out.over_tls = forwarded_proto && is_https(*forwarded_proto);
  if (!forwarded_for) return out;
  std::string_view rest = *forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry =
        trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    auto address = address_of(entry);
    if (!address) break;
    out.address = std::move(*address);
    if (!in_ranges(out.address, trusted_proxies)) break;
  }
  return out;
}

}  // namespace provisio::http
