#include "http/target.hpp"

#include <gtest/gtest.h>

namespace provisio::http {
namespace {

TEST(Target, SplitsPathAndDecodesQuery) {
  const auto t = parse_target("/api/users/search?q=a%20b+c&ps=10&flag&x=1&x=2");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/api/users/search");
  EXPECT_EQ(t->query.at("q"), "a b c");
  EXPECT_EQ(t->query.at("ps"), "10");
  EXPECT_EQ(t->query.at("flag"), "");
  EXPECT_EQ(t->query.at("x"), "2");  // the last value wins
}

TEST(Target, KeepsThePathEncoded) {
  const auto t = parse_target("/a%2Fb/c");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/a%2Fb/c");
  EXPECT_TRUE(t->query.empty());
}

TEST(Target, RefusesNonOriginFormAndBadEscapes) {
  EXPECT_FALSE(parse_target(""));
  EXPECT_FALSE(parse_target("*"));
  EXPECT_FALSE(parse_target("http://host/x"));
  EXPECT_FALSE(parse_target("/x?q=%zz"));
  EXPECT_FALSE(parse_target("/x?q=%4"));
  EXPECT_FALSE(parse_target("/x?q=%"));
}

TEST(Target, PercentDecodeTreatsPlusAsAskedAndAcceptsBothCases) {
  EXPECT_EQ(percent_decode("a+b%2b%2B", true), "a b++");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("%41%e9", false), std::string("A\xe9"));
  EXPECT_EQ(percent_decode("", false), "");
}

}  // namespace
}  // namespace provisio::http
