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

}  // namespace
}  // namespace provisio::gitlab
