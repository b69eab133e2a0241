// SQL meta-characters in every text field the API stores or searches: each value comes back
// exactly as sent, a search treats '%', '_' and '\' as plain characters, and nothing answers 5xx.
// (Every statement binds its values; this proves it from the outside, on both databases.)
#include "api_fixture.hpp"

namespace provisio::api_test {
namespace {

const std::vector<std::string> kHostile = {
    "O'Brien",          "''; DROP TABLE users; --", "\" OR \"1\"=\"1", "a%b_c\\d",
    "x' OR '1'='1' --", "/* c */; SELECT 1; --",    "back\\slash\\'",  "$1 :name ? @p",
    "[brackets]^$|*+.", "tab\there\nline",          "ünïcödé ✓ 雪",
};

std::string percent_encoded(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// The `key` values of the items of `list` in the answer.
std::vector<std::string> values(const ClientResponse& r, const char* list, const char* key) {
  std::vector<std::string> out;
  const json j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains(list)) return out;
  for (const json& item : j[list]) out.push_back(item.value(key, ""));
  return out;
}

}  // namespace

TEST_P(ApiTest, SqlMetaCharactersInEveryTextFieldComeBackVerbatimAndNeverGive5xx) {
  make_unmanaged_instance();
  const std::string users = "/api/v2/users-management/users";
  const std::string groups = "/api/v2/authorizations/groups";
  int n = 0;
  for (const std::string& v : kHostile) {
    SCOPED_TRACE("value " + v);
    const std::string i = std::to_string(++n);
    const std::string q = percent_encoded(v);

    // Users: a name that is the value; read back, changed, and found by a search for it.
    auto created =
        json_call(As::kAdmin, "POST", users,
                  {{"login", "meta-" + i}, {"name", v}, {"password", "long-password-1"}});
    ASSERT_EQ(created.status, 200) << created.body;
    const std::string uuid = json::parse(created.body)["id"];
    EXPECT_EQ(json::parse(call(As::kAdmin, "GET", users + "/" + uuid).body)["name"], v);
    auto renamed = json_call(As::kAdmin, "PATCH", users + "/" + uuid, {{"name", v + " 2"}});
    EXPECT_EQ(renamed.status, 200) << renamed.body;
    EXPECT_EQ(json::parse(renamed.body)["name"], v + " 2");
    const auto found_users = call(As::kAdmin, "GET", users + "?q=" + q);
    EXPECT_EQ(found_users.status, 200) << found_users.body;
    const auto names = values(found_users, "users", "name");
    EXPECT_NE(std::find(names.begin(), names.end(), v + " 2"), names.end()) << found_users.body;

    // Groups: the value as name and description; a search finds exactly it.
    auto group = json_call(As::kAdmin, "POST", groups, {{"name", v}, {"description", v}});
    ASSERT_EQ(group.status, 200) << group.body;
    EXPECT_EQ(json::parse(group.body)["name"], v);
    EXPECT_EQ(json::parse(group.body)["description"], v);
    const auto found_groups = call(As::kAdmin, "GET", groups + "?q=" + q);
    EXPECT_EQ(found_groups.status, 200) << found_groups.body;
    EXPECT_EQ(values(found_groups, "groups", "name"), std::vector<std::string>{v})
        << found_groups.body;

    // Projects (v1, form-encoded): the value as name, found by a search for it.
    auto project =
        form_call(As::kAdmin, "/api/projects/create", "project=meta-key-" + i + "&name=" + q);
    ASSERT_EQ(project.status, 200) << project.body;
    const auto found_projects = call(As::kAdmin, "GET", "/api/projects/search?q=" + q);
    EXPECT_EQ(found_projects.status, 200) << found_projects.body;
    EXPECT_EQ(values(found_projects, "components", "name"), std::vector<std::string>{v})
        << found_projects.body;

    // User tokens: the value as the token's name.
    auto token = form_call(As::kAdmin, "/api/user_tokens/generate", "name=" + q);
    EXPECT_EQ(token.status, 200) << token.body;
    const auto tokens =
        values(call(As::kAdmin, "GET", "/api/user_tokens/search"), "userTokens", "name");
    EXPECT_NE(std::find(tokens.begin(), tokens.end(), v), tokens.end());

    // Everything else that takes text: refused or answered, never a 5xx.
    const std::vector<ClientResponse> others = {
        json_call(As::kAdmin, "POST", "/api/v2/dop-translation/gitlab-permission-mappings",
                  {{"role", v}, {"permissions", {{"user", true}}}}),
        call(As::kAdmin, "GET", "/api/v2/dop-translation/gitlab-permission-mappings/" + q),
        form_call(As::kAdmin, "/api/permissions/add_user", "login=" + q + "&permission=scan"),
        form_call(As::kAdmin, "/api/permissions/add_group", "groupName=" + q + "&permission=scan"),
        call(As::kAdmin, "GET", "/api/permissions/users?q=" + q),
        call(As::kAdmin, "GET", "/api/permissions/groups?q=" + q),
        call(As::kAdmin, "GET", "/api/projects/search?projects=" + q),
        call(As::kAdmin, "GET", "/api/v2/provisioning/audit?entity=" + q + "&actor=" + q),
        call(As::kAdmin, "GET", "/api/v2/provisioning/explain?login=" + q + "&projectKey=" + q),
        call(As::kAdmin, "GET", "/api/v2/authorizations/group-memberships?userId=" + q),
        call(As::kAdmin, "GET", users + "/" + q),
        form_call(As::kAnonymous, "/api/authentication/login", "login=" + q + "&password=" + q),
        json_call(As::kAdmin, "POST", "/api/v2/dop-translation/gitlab-configurations",
                  {{"applicationId", v},
                   {"url", "https://gitlab.example.com"},
                   {"secret", v},
                   {"allowedGroups", {v}}}),
    };
    for (const ClientResponse& r : others) EXPECT_LT(r.status, 500) << r.body;
    make_unmanaged_instance();
  }
  // The values are data, not statements: every table still answers.
  EXPECT_EQ(call(As::kAdmin, "GET", users).status, 200);
  EXPECT_EQ(call(As::kAdmin, "GET", groups).status, 200);
}

TEST_P(ApiTest, WildcardsInASearchMatchOnlyThemselves) {
  const std::string groups = "/api/v2/authorizations/groups";
  for (const char* name : {"a%b_c", "aXbYc", "a\\b_c", "abc"}) {
    ASSERT_EQ(json_call(As::kAdmin, "POST", groups, {{"name", name}}).status, 200) << name;
  }
  const auto found = call(As::kAdmin, "GET", groups + "?q=" + percent_encoded("%b_"));
  EXPECT_EQ(values(found, "groups", "name"), std::vector<std::string>{"a%b_c"}) << found.body;
  const auto backslash = call(As::kAdmin, "GET", groups + "?q=" + percent_encoded("\\b"));
  EXPECT_EQ(values(backslash, "groups", "name"), std::vector<std::string>{"a\\b_c"})
      << backslash.body;
}

TEST_P(ApiTest, ANulCharacterInTextIsRefusedWithAMessage) {
  // U+0000 is valid UTF-8 but PostgreSQL cannot store it in text (SOCI cut such a value short
  // there, so the stored name differed from the one the answer showed): refused everywhere, the
  // same way on both databases, naming the field.
  const std::string users = "/api/v2/users-management/users";
  const std::string nul("nul\0byte", 8);
  const auto expect_refused = [&](const ClientResponse& r, const std::string& field) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(message(r).find("'" + field + "' holds a NUL character"), std::string::npos)
        << r.body;
  };
  expect_refused(json_call(As::kAdmin, "POST", users,
                           {{"login", "nul-user"}, {"name", nul}, {"password", "long-password-1"}}),
                 "name");
  expect_refused(json_call(As::kAdmin, "POST", "/api/v2/authorizations/groups", {{"name", nul}}),
                 "name");
  expect_refused(form_call(As::kAdmin, "/api/projects/create", "project=nul-key&name=nul%00byte"),
                 "name");
  expect_refused(call(As::kAdmin, "GET", users + "?q=nul%00byte"), "q");
  expect_refused(call(As::kAdmin, "GET", "/api/v2/authorizations/groups?q=%00"), "q");
  EXPECT_FALSE(store_->find_user_by_login("nul-user"));  // nothing was created
}

}  // namespace provisio::api_test
