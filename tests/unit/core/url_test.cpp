#include "core/url.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("acme/sub group"), "acme%2Fsub%20group");
  EXPECT_EQ(percent_encode("A-z_0.9~"), "A-z_0.9~");
  EXPECT_EQ(percent_encode("a&b=c?d#e+f"), "a%26b%3Dc%3Fd%23e%2Bf");
  EXPECT_EQ(percent_encode("é"), "%C3%A9");
  EXPECT_EQ(percent_encode(""), "");
}

}  // namespace
}  // namespace provisio
