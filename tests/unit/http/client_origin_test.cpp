// The client behind a trusted proxy, and nobody else's word for it.
#include "http/client_origin.hpp"

#include <gtest/gtest.h>

namespace provisio::http {
namespace {

const std::vector<AddressRange> kProxies = *parse_address_ranges("10.0.0.0/24, 10.9.9.9");

TEST(ClientOrigin, AnUntrustedPeerIsTheClientWhateverItsHeadersSay) {
  const auto o = client_origin("203.0.113.5", "198.51.100.7", "https", kProxies);
  EXPECT_EQ(o.address, "203.0.113.5");
  EXPECT_FALSE(o.over_tls);
  EXPECT_EQ(client_origin("203.0.113.5", "198.51.100.7", "https", {}).address, "203.0.113.5");
}

TEST(ClientOrigin, ATrustedProxyNamesTheClientAndItsScheme) {
  const auto o = client_origin("10.0.0.4", "198.51.100.7", "HTTPS", kProxies);
  EXPECT_EQ(o.address, "198.51.100.7");
  EXPECT_TRUE(o.over_tls);
  EXPECT_FALSE(client_origin("10.0.0.4", "198.51.100.7", "http", kProxies).over_tls);
  EXPECT_EQ(client_origin("10.0.0.4", std::nullopt, std::nullopt, kProxies).address, "10.0.0.4");
}

TEST(ClientOrigin, TheForwardedChainIsReadFromTheRightPastTrustedHopsOnly) {
  // The client wrote a fake first entry; the proxies appended what they saw.
  EXPECT_EQ(client_origin("10.0.0.4", "1.1.1.1, 198.51.100.7, 10.9.9.9", {}, kProxies).address,
            "198.51.100.7");
  EXPECT_EQ(client_origin("10.0.0.4", "10.0.0.7, 10.9.9.9", {}, kProxies).address, "10.0.0.7");
  EXPECT_EQ(client_origin("10.0.0.4", "198.51.100.7:4711", {}, kProxies).address, "198.51.100.7");
  EXPECT_EQ(client_origin("10.0.0.4", "[2001:db8::1]:4711", {}, kProxies).address, "2001:db8::1");
  EXPECT_EQ(client_origin("::ffff:10.0.0.4", "2001:db8::1", {}, kProxies).address, "2001:db8::1");
}

TEST(ClientOrigin, GarbageInTheChainStopsAtTheHopThatWroteIt) {
  EXPECT_EQ(client_origin("10.0.0.4", "198.51.100.7, unknown", {}, kProxies).address, "10.0.0.4");
  EXPECT_EQ(client_origin("10.0.0.4", "junk, 10.9.9.9", {}, kProxies).address, "10.9.9.9");
  EXPECT_EQ(client_origin("10.0.0.4", "", {}, kProxies).address, "10.0.0.4");
}

}  // namespace
}  // namespace provisio::http
