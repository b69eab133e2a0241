// Addresses as the limits see them: the trusted proxies setting and per-address keys.
#include "core/ip_address.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

TEST(IpAddress, ReadsIpv4Ipv6AndMappedAddressesAndNothingElse) {
  ASSERT_TRUE(parse_ip("10.0.0.1"));
  EXPECT_FALSE(parse_ip("10.0.0.1")->v6);
  ASSERT_TRUE(parse_ip("fe80::1"));
  EXPECT_TRUE(parse_ip("fe80::1")->v6);
  const auto mapped = parse_ip("::ffff:10.0.0.1");
  ASSERT_TRUE(mapped);
  EXPECT_FALSE(mapped->v6);
  EXPECT_EQ(mapped->bytes, parse_ip("10.0.0.1")->bytes);
  for (const char* bad :
       {"", "10.0.0", "10.0.0.256", "gitlab.example.com", "1.2.3.4:80", "[::1]", "10.0.0.1 "}) {
    EXPECT_FALSE(parse_ip(bad)) << bad;
  }
}

TEST(AddressRanges, MatchAddressesAndNetworks) {
  const auto ranges = parse_address_ranges("10.0.0.5, 192.168.0.0/16 fd00::/8,::1");
  ASSERT_TRUE(ranges) << ranges.error().message;
  ASSERT_EQ(ranges->size(), 4u);
  EXPECT_TRUE(in_ranges("10.0.0.5", *ranges));
  EXPECT_FALSE(in_ranges("10.0.0.6", *ranges));
  EXPECT_TRUE(in_ranges("192.168.200.1", *ranges));
  EXPECT_FALSE(in_ranges("192.169.0.1", *ranges));
  EXPECT_TRUE(in_ranges("fd12:3456::1", *ranges));
  EXPECT_FALSE(in_ranges("fe80::1", *ranges));
  EXPECT_TRUE(in_ranges("::1", *ranges));
  EXPECT_TRUE(in_ranges("::ffff:10.0.0.5", *ranges)) << "an IPv4 peer on an IPv6 socket";
  EXPECT_FALSE(in_ranges("not an address", *ranges));
  const auto odd = parse_address_ranges("10.1.2.3/20");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(in_ranges("10.1.15.255", *odd));
  EXPECT_FALSE(in_ranges("10.1.16.0", *odd));
  EXPECT_TRUE(parse_address_ranges("")->empty());
}

TEST(AddressRanges, RefuseWhatIsNotAnAddressOrANetwork) {
  for (const char* bad :
       {"10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/x", "proxy.local", "10.0.0.0/8/8"}) {
    const auto r = parse_address_ranges(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
}

TEST(LimitKey, IsTheIpv4AddressOrTheIpv6Slash64) {
  EXPECT_EQ(limit_key("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(limit_key("::ffff:10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(limit_key("2001:db8:1:2:aaaa::1"), limit_key("2001:db8:1:2:bbbb::9"));
  EXPECT_NE(limit_key("2001:db8:1:2::1"), limit_key("2001:db8:1:3::1"));
  EXPECT_EQ(limit_key("2001:db8:1:2::1"), "2001:0db8:0001:0002::/64");
}

}  // namespace
}  // namespace provisio
