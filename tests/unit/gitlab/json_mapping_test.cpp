// JSON -> core types, on GitLab's documented bodies (shared/gitlab-api/examples).
#include "gitlab/json_mapping.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace provisio::gitlab {
namespace {

nlohmann::json example(const std::string& name) {
  std::ifstream in(std::string(PROVISIO_GITLAB_EXAMPLES) + "/" + name);
  EXPECT_TRUE(in.good()) << "missing example " << name;
  return nlohmann::json::parse(in);
}

TEST(JsonMapping, ReadsDirectMembersWithAndWithoutEmail) {
  const auto body = example("groups_id_members.json");
  auto members = to_list(body.get<std::vector<nlohmann::json>>(), &to_member);
  ASSERT_TRUE(members) << members.error().message;
  ASSERT_GE(members->size(), 2u);
  EXPECT_EQ((*members)[0].user_id, 1);
  EXPECT_EQ((*members)[0].access_level, 30);
  EXPECT_EQ((*members)[0].expires_at, "2012-10-22");
  EXPECT_FALSE((*members)[0].email);
  EXPECT_EQ((*members)[1].email, "john@example.com");
}

TEST(JsonMapping, ReadsGroupsProjectsUsersTokensAndRoles) {
  auto group = to_group(example("groups_id.json"));
  ASSERT_TRUE(group);
  EXPECT_TRUE(group->shares_known);
  auto subgroups = example("groups_id_descendant_groups.json");
  auto g = to_group(subgroups[0]);
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->shares_known);
  EXPECT_TRUE(g->parent_id.has_value());
  auto project = to_project(example("projects_id.json"));
  ASSERT_TRUE(project);
  EXPECT_FALSE(project->visibility.empty());
  auto user = to_user(example("users_id.json"));
  ASSERT_TRUE(user);
  EXPECT_FALSE(user->email);
  auto admin_view = to_user(example("users_id_admin.json"));
  ASSERT_TRUE(admin_view);
  EXPECT_TRUE(admin_view->email);
  auto token = to_token_info(example("personal_access_tokens_self.json"));
  ASSERT_TRUE(token);
  EXPECT_FALSE(token->scopes.empty());
  auto roles = example("member_roles.json");
  auto role = to_custom_role(roles.is_array() ? roles[0] : roles);
  ASSERT_TRUE(role);
  EXPECT_GT(role->base_access_level, 0);
}

TEST(JsonMapping, ToleratesMissingOptionalFieldsAndNamesMissingRequiredOnes) {
  auto m = to_member(nlohmann::json{{"id", 3}, {"access_level", 40}});
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->expires_at);
  EXPECT_FALSE(m->member_role);
  auto custom = to_member(nlohmann::json{
      {"id", 3},
      {"access_level", 20},
      {"member_role", {{"id", 9}, {"name", "Security Auditor"}, {"base_access_level", 20}}}});
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom->member_role->name, "Security Auditor");
  auto broken = to_member(nlohmann::json{{"id", 3}});
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kInvalidResponse);
  EXPECT_NE(broken.error().message.find("access_level"), std::string::npos);
  EXPECT_FALSE(to_group(nlohmann::json::array()));
  auto stamped = to_member(
      nlohmann::json{{"id", 1}, {"access_level", 10}, {"expires_at", "2026-01-31T00:00:00Z"}});
  EXPECT_EQ(stamped->expires_at, "2026-01-31");
}

// Found by fuzz/gitlab_answer_fuzz.cpp's properties: an access level beyond an int was cut down
// to one (4294967326 became 30, Developer).
TEST(JsonMapping, RefusesAnAccessLevelAnIntCannotHold) {
  auto m = to_member(nlohmann::json{{"id", 1}, {"access_level", 4294967326LL}});
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("access_level"), std::string::npos);
  auto g = to_group(nlohmann::json{{"id", 5},
                                   {"shared_with_groups",
                                    {{{"group_id", 7}, {"group_access_level", 4294967306LL}},
                                     {{"group_id", 8}, {"group_access_level", 20}}}}});
  ASSERT_TRUE(g);
  ASSERT_EQ(g->shared_with_groups.size(), 1u);  // the share without a usable level is left out
  EXPECT_EQ(g->shared_with_groups[0].group_id, 8);
}

// Found by fuzz/gitlab_answer_fuzz.cpp's properties: any expires_at was cut at 10 bytes, which
// could split a UTF-8 character and leave text that no JSON writer accepts.
TEST(JsonMapping, RefusesAnExpiryThatIsNotADate) {
  for (const char* bad : {"2026-11-2\xc3\xa9", "soon", "2026-1-31", "20261131xx", "2026-11-30Z"}) {
    auto m = to_member(nlohmann::json{{"id", 1}, {"access_level", 30}, {"expires_at", bad}});
    ASSERT_FALSE(m) << bad;
    EXPECT_NE(m.error().message.find("expires_at"), std::string::npos);
    EXPECT_FALSE(to_token_info(nlohmann::json{{"id", 1}, {"expires_at", bad}})) << bad;
  }
  auto spaced = to_member(
      nlohmann::json{{"id", 1}, {"access_level", 10}, {"expires_at", "2026-01-31 00:00:00 UTC"}});
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->expires_at, "2026-01-31");
  auto g = to_group(
      nlohmann::json{{"id", 5},
                     {"shared_with_groups",
                      {{{"group_id", 7}, {"group_access_level", 30}, {"expires_at", "x"}}}}});
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->shared_with_groups.empty());
}

}  // namespace
}  // namespace provisio::gitlab
