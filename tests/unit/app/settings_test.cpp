#include "app/settings.hpp"

#include <gtest/gtest.h>

namespace provisio::app {
namespace {

TEST(ResolveSettings, DefaultsWhenNothingIsGiven) {
  const auto s = resolve_settings({}, {}, {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->db, "sqlite:data/provisio.db");
  EXPECT_EQ(s->port, 9000);
  EXPECT_EQ(s->data_dir, "data");
  EXPECT_EQ(s->server_url, "");
  EXPECT_EQ(s->bind, "0.0.0.0");
  EXPECT_EQ(s->log_level, "info");
  EXPECT_EQ(s->ui_dir, "ui/dist");
}

TEST(ResolveSettings, FlagsBeatEnvironmentBeatsFileBeatsDefaults) {
  FileValues file;
  file.source = "provisio.toml";
  file.db = "sqlite:file.db";
  file.port = 1001;
  file.data_dir = "file-dir";
  file.server_url = "https://file";
  file.bind = "10.0.0.1";
  file.log_level = "error";
  file.ui_dir = "file-ui";
  EnvValues env;
  env.db = "sqlite:env.db";
  env.port = "1002";
  env.server_url = "https://env";
  env.ui_dir = "env-ui";
  FlagValues flags;
  flags.db = "sqlite:flag.db";

  const auto s = resolve_settings(file, env, flags);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->db, "sqlite:flag.db");       // flag
  EXPECT_EQ(s->port, 1002);                 // environment
  EXPECT_EQ(s->server_url, "https://env");  // environment
  EXPECT_EQ(s->data_dir, "file-dir");       // file
  EXPECT_EQ(s->bind, "10.0.0.1");           // file
  EXPECT_EQ(s->log_level, "error");         // file
  EXPECT_EQ(s->ui_dir, "env-ui");           // environment
}

TEST(ResolveSettings, EachSettingHasEachSource) {
  FlagValues flags;
  flags.port = "0";
  flags.data_dir = "/tmp/x";
  flags.server_url = "https://sonar.example.com";
  flags.bind = "127.0.0.1";
  flags.log_level = "debug";
  flags.ui_dir = "/srv/ui";
  const auto s = resolve_settings({}, {}, flags);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->port, 0);
  EXPECT_EQ(s->data_dir, "/tmp/x");
  EXPECT_EQ(s->server_url, "https://sonar.example.com");
  EXPECT_EQ(s->bind, "127.0.0.1");
  EXPECT_EQ(s->log_level, "debug");
  EXPECT_EQ(s->ui_dir, "/srv/ui");
}

TEST(ResolveSettings, TheDefaultDatabaseFollowsTheDataDirectory) {
  EnvValues env;
  env.data_dir = "/var/lib/provisio";
  const auto s = resolve_settings({}, env, {});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->db, "sqlite:/var/lib/provisio/provisio.db");
}

TEST(ResolveSettings, AnExplicitDatabaseIsKeptWhateverTheDataDirectory) {
  FileValues file;
  file.db = "postgresql://u:p@h/db";
  FlagValues flags;
  flags.data_dir = "elsewhere";
  const auto s = resolve_settings(file, {}, flags);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->db, "postgresql://u:p@h/db");
}

TEST(ResolveSettings, RefusesABadPortAndNamesItsSource) {
  for (const char* bad : {"abc", "", "-1", "65536", "99999999999", "80x", " 80", "8.0"}) {
    FlagValues flags;
    flags.port = bad;
    const auto s = resolve_settings({}, {}, flags);
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find("--port"), std::string::npos) << s.error().message;
  }
  EnvValues env;
  env.port = "x";
  const auto from_env = resolve_settings({}, env, {});
  ASSERT_FALSE(from_env);
  EXPECT_NE(from_env.error().message.find("PROVISIO_PORT"), std::string::npos);

  FileValues file;
  file.source = "conf.toml";
  file.port = 70000;
  const auto from_file = resolve_settings(file, {}, {});
  ASSERT_FALSE(from_file);
  EXPECT_NE(from_file.error().message.find("conf.toml"), std::string::npos);
  EXPECT_NE(from_file.error().message.find("port"), std::string::npos);
}

TEST(ResolveSettings, AGoodFlagHidesABadEnvironmentValue) {
  EnvValues env;
  env.port = "not a port";
  FlagValues flags;
  flags.port = "8080";
  const auto s = resolve_settings({}, env, flags);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->port, 8080);
}

TEST(ResolveSettings, RefusesEmptyValuesThatCannotBeEmpty) {
  FlagValues flags;
  flags.data_dir = "";
  EXPECT_FALSE(resolve_settings({}, {}, flags));
  FileValues file;
  file.bind = "";
  EXPECT_FALSE(resolve_settings(file, {}, {}));
  FlagValues url;
  url.server_url = "";
  EXPECT_TRUE(resolve_settings({}, {}, url));
}

TEST(ResolveSettings, RefusesAnUnknownLogLevel) {
  EnvValues env;
  env.log_level = "verbose";
  const auto s = resolve_settings({}, env, {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("verbose"), std::string::npos);
}

TEST(ParsePort, AcceptsZeroToMax) {
  EXPECT_EQ(parse_port("0"), 0);
  EXPECT_EQ(parse_port("9000"), 9000);
  EXPECT_EQ(parse_port("65535"), 65535);
  EXPECT_FALSE(parse_port("65536"));
  EXPECT_FALSE(parse_port("+1"));
}

}  // namespace
}  // namespace provisio::app
