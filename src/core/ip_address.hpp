#pragma once
// IP addresses as the server's limits see them: the trusted proxies setting (addresses and CIDR
// networks) and the key a per-address limit is kept under. Pure functions.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace provisio {

struct IpAddress {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};  // IPv4 in the first 4
};

// An IPv4 or IPv6 literal ("10.0.0.1", "::1", "fe80::1"); an IPv4-mapped IPv6 address
// ("::ffff:10.0.0.1") reads as the IPv4 address. Nothing for anything else.
std::optional<IpAddress> parse_ip(std::string_view text);

// One entry of the trusted proxies setting: an address, or a network in CIDR notation.
struct AddressRange {
  IpAddress network;
  unsigned prefix = 0;  // leading bits that must match
};

// Parses "10.0.0.5, 192.168.0.0/16" (separated by commas, spaces or both). kInvalidArgument
// naming the entry that is neither an address nor a network.
Result<std::vector<AddressRange>> parse_address_ranges(std::string_view text);

// True when `address` (a literal) lies in one of the ranges.
bool in_ranges(std::string_view address, const std::vector<AddressRange>& ranges);

// The key a per-address limit is kept under: the IPv4 address itself, the /64 network of an
// IPv6 address (one subscriber usually holds a whole /64, so a limit per IPv6 address would be
// none). Anything that is not an address is its own key.
std::string limit_key(std::string_view address);

// "::ffff:10.0.0.1" -> "10.0.0.1"; other text unchanged.
std::string unmapped_address(std::string_view address);

}  // namespace provisio
