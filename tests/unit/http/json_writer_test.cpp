// JsonWriter (the hot pages' JSON) and the resources written with it: what it writes must parse
// and say what the nlohmann forms say.
#include "http/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/api_json.hpp"

namespace provisio::http {
namespace {

TEST(JsonWriter, WritesNestedValuesInOrder) {
  JsonWriter w;
  w.begin_object().key("a").value(1).key("b").begin_array().value(true).null().value("x");
  w.end_array().key("c").value(std::optional<std::string>()).key("d");
  w.value(std::int64_t{-9007199254740993}).end_object();
  EXPECT_EQ(w.take(), R"({"a":1,"b":[true,null,"x"],"c":null,"d":-9007199254740993})");
  EXPECT_EQ(w.begin_array().end_array().take(), "[]");  // take() leaves an empty writer
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  JsonWriter w;
  const std::string nasty = std::string("a\"b\\c\nd\te") + '\0' + "\x01'; DROP TABLE users; --";
  const std::string text = w.value(nasty).take();
  EXPECT_EQ(nlohmann::json::parse(text).get<std::string>(), nasty);
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

TEST(JsonWriter, KeepsUtf8AndReplacesInvalidBytes) {
  JsonWriter w;
  EXPECT_EQ(nlohmann::json::parse(w.value("Zoë 田中").take()).get<std::string>(), "Zoë 田中");
  const std::string text = w.value(std::string("bad \xff\xfe end")).take();
  EXPECT_EQ(nlohmann::json::parse(text).get<std::string>(), "bad \xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST(ApiJson, TheWrittenUserIsTheUserJson) {
  User u;
  u.uuid = "u-1";
  u.login = "jane";
  u.name = "Jane \"JD\" Doe";
  u.email = "jane@example.com";
  u.managed = true;
  u.external_provider = ExternalProvider::kGitlab;
  u.external_id = "42";
  u.external_login = "jane.doe";
  u.last_connection_at = 1700000000000;
  const Json admin = user_json(u, true);
  EXPECT_EQ(admin.dump(),
            R"({"id":"u-1","login":"jane","name":"Jane \"JD\" Doe","email":"jane@example.com",)"
            R"("active":true,"local":false,"managed":true,"externalLogin":"jane.doe",)"
            R"("externalProvider":"gitlab","externalId":"42","avatar":null,)"
            R"("sonarQubeLastConnectionDate":"2023-11-14T22:13:20+0000",)"
            R"("sonarLintLastConnectionDate":null,"scmAccounts":[]})");
  EXPECT_EQ(user_json(u, false).dump(), R"({"id":"u-1","login":"jane","name":"Jane \"JD\" Doe"})");
  JsonWriter w;
  write_user(w, u, true);
  EXPECT_EQ(Json::parse(w.take()), admin);
}

TEST(ApiJson, GroupsAndMembershipsAndPages) {
  Group g;
  g.uuid = "g-1";
  g.name = "acme/web";
  g.description = "";
  g.managed = true;
  User u;
  u.uuid = "u-1";
  EXPECT_EQ(group_json(g).dump(),
            R"({"id":"g-1","name":"acme/web","description":"","managed":true,"default":false})");
  EXPECT_EQ(membership_json(g, u).dump(), R"({"id":"g-1:u-1","groupId":"g-1","userId":"u-1"})");
  JsonWriter w;
  write_page(w, 2, 100, 10001);
  EXPECT_EQ(w.take(), R"({"pageIndex":2,"pageSize":100,"total":10001})");
}

}  // namespace
}  // namespace provisio::http
