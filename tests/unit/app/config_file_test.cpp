#include "app/config_file.hpp"

#include <gtest/gtest.h>

namespace provisio::app {
namespace {

TEST(ConfigFile, ReadsEveryKey) {
  const auto v = parse_config_text(R"(
db = "postgresql://provisio@db/provisio"
port = 9001
data_dir = "/var/lib/provisio"
server_url = "https://sonar.example.com"
bind = "127.0.0.1"
log_level = "debug"
ui_dir = "/srv/provisio/ui"
)",
                                   "provisio.toml");
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->source, "provisio.toml");
  EXPECT_EQ(v->db, "postgresql://provisio@db/provisio");
  EXPECT_EQ(v->port, 9001);
  EXPECT_EQ(v->data_dir, "/var/lib/provisio");
  EXPECT_EQ(v->server_url, "https://sonar.example.com");
  EXPECT_EQ(v->bind, "127.0.0.1");
  EXPECT_EQ(v->log_level, "debug");
  EXPECT_EQ(v->ui_dir, "/srv/provisio/ui");
}

TEST(ConfigFile, AbsentKeysStayUnset) {
  const auto v = parse_config_text("port = 1\n", "c.toml");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->db);
  EXPECT_FALSE(v->bind);
  EXPECT_EQ(v->port, 1);
}

TEST(ConfigFile, MalformedTomlNamesTheLine) {
  const auto v = parse_config_text("port = 1\n\ndb = \"unterminated\n", "c.toml");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(v.error().message.find("c.toml:3"), std::string::npos) << v.error().message;
}

TEST(ConfigFile, WrongTypesAreRefusedWithTheirLine) {
  const auto port = parse_config_text("\nport = \"9000\"\n", "c.toml");
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().message.find("c.toml:2"), std::string::npos) << port.error().message;
  EXPECT_NE(port.error().message.find("integer"), std::string::npos);
  const auto db = parse_config_text("db = 5\n", "c.toml");
  ASSERT_FALSE(db);
  EXPECT_NE(db.error().message.find("c.toml:1"), std::string::npos) << db.error().message;
}

TEST(ConfigFile, UnknownKeysAreRefused) {
  const auto v = parse_config_text("prot = 9000\n", "c.toml");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("prot"), std::string::npos);
  EXPECT_NE(v.error().message.find("c.toml:1"), std::string::npos) << v.error().message;
}

TEST(ConfigFile, AMissingFileIsAnError) {
  const auto v = read_config_file("/nonexistent/provisio.toml");
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("/nonexistent/provisio.toml"), std::string::npos);
}

}  // namespace
}  // namespace provisio::app
