#include "core/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace provisio {
namespace {

constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

bool prefix_matches(const IpAddress& a, const IpAddress& network, unsigned prefix) {
  if (a.v6 != network.v6) return false;
  const unsigned full = prefix / 8;
  for (unsigned i = 0; i < full; ++i) {
    if (a.bytes[i] != network.bytes[i]) return false;
  }
  const unsigned rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (a.bytes[full] & mask) == (network.bytes[full] & mask);
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string s(text);
  IpAddress out;
  if (inet_pton(AF_INET, s.c_str(), out.bytes.data()) == 1) return out;
  if (inet_pton(AF_INET6, s.c_str(), out.bytes.data()) != 1) return std::nullopt;
  if (std::equal(std::begin(kMappedPrefix), std::end(kMappedPrefix), out.bytes.begin())) {
    std::copy(out.bytes.begin() + 12, out.bytes.end(), out.bytes.begin());
    std::fill(out.bytes.begin() + 4, out.bytes.end(), 0);
    return out;
  }
  out.v6 = true;
  return out;
}

Result<std::vector<AddressRange>> parse_address_ranges(std::string_view text) {
  std::vector<AddressRange> out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ',' || text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    const std::size_t end = std::min(text.find_first_of(", \t", i), text.size());
    const std::string_view entry = text.substr(i, end - i);
    i = end;
    const auto bad = [&] {
      return make_error(
          ErrorCode::kInvalidArgument,
          "'" + std::string(entry) +
              "' is not an IP address or a network (10.0.0.5, 10.0.0.0/8, fd00::/8).");
    };
    const std::size_t slash = entry.find('/');
    auto address = parse_ip(entry.substr(0, slash));
    if (!address) return bad();
    AddressRange range{*address, address->v6 ? 128u : 32u};
    if (slash != std::string_view::npos) {
      const std::string_view bits = entry.substr(slash + 1);
      unsigned prefix = 0;
      const auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
      if (bits.empty() || ec != std::errc() || ptr != bits.data() + bits.size() ||
          prefix > range.prefix) {
        return bad();
      }
      range.prefix = prefix;
    }
    out.push_back(range);
  }
  return out;
}

bool in_ranges(std::string_view address, const std::vector<AddressRange>& ranges) {
  const auto parsed = parse_ip(address);
  if (!parsed) return false;
  return std::any_of(ranges.begin(), ranges.end(), [&](const AddressRange& r) {
    return prefix_matches(*parsed, r.network, r.prefix);
  });
}

std::string limit_key(std::string_view address) {
  const auto parsed = parse_ip(address);
  if (!parsed) return std::string(address);
  if (!parsed->v6) return unmapped_address(address);
  char text[48];
  const auto& b = parsed->bytes;
  std::snprintf(text, sizeof text, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2],
                b[3], b[4], b[5], b[6], b[7]);
  return text;
}

std::string unmapped_address(std::string_view address) {
  const auto parsed = parse_ip(address);
  if (!parsed || parsed->v6 || address.find(':') == std::string_view::npos) {
    return std::string(address);
  }
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, parsed->bytes.data(), text, sizeof text);
  return text;
}

}  // namespace provisio
