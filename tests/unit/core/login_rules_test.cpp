// The login's pure rules (behaviour.md §2): paths, the allowlist, JIT groups, managed groups at
// login and memberships through invited groups.
#include "core/login_rules.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

Group group(GroupId id, std::string name, bool managed = false,
            std::optional<std::string> gitlab_id = std::nullopt, bool is_default = false) {
  Group g;
  g.id = id;
  g.name = std::move(name);
  g.managed = managed;
  g.external_id = std::move(gitlab_id);
  g.is_default = is_default;
  return g;
}

gl::Group listed(gl::Id id, std::string full_path) {
  gl::Group g;
  g.id = id;
  g.full_path = std::move(full_path);
  return g;
}

TEST(PathWithin, IsTheGroupOrBelowItIgnoringCase) {
  EXPECT_TRUE(path_within("acme", "acme"));
  EXPECT_TRUE(path_within("acme/web/api", "acme"));
  EXPECT_TRUE(path_within("Acme/Web", "acme/web"));
  EXPECT_FALSE(path_within("acme-2", "acme"));
  EXPECT_FALSE(path_within("acme", "acme/web"));
  EXPECT_FALSE(path_within("other/acme", "acme"));
  EXPECT_FALSE(path_within("acme", ""));
}

TEST(Allowlist, LetsInMembersOfAnAllowedRootOrItsSubgroups) {
  EXPECT_FALSE(allowlist_refusal({}, {}));  // no allowlist: everyone
  EXPECT_FALSE(allowlist_refusal({"acme/web"}, {"acme", "umbrella"}));
  EXPECT_FALSE(allowlist_refusal({"outside", "UMBRELLA"}, {"acme", "umbrella"}));
  const auto refused = allowlist_refusal({"outside/acme", "acme-corp"}, {"acme"});
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->find("(acme)"), std::string::npos) << *refused;
  EXPECT_TRUE(allowlist_refusal({}, {"acme"}));  // in no group at all
}

TEST(JitGroups, AreTheExistingGroupsNamedByTheUsersPathsAndTheirSubgroups) {
  const std::vector<Group> ours{group(1, "sonar-users", false, std::nullopt, true),
                                group(2, "acme"),
                                group(3, "acme/web"),
                                group(4, "acme/web/api"),
                                group(5, "acme/webshop"),
                                group(6, "umbrella/ops"),
                                group(7, "local-team")};
  EXPECT_EQ(jit_groups({"acme/web"}, ours), (std::set<GroupId>{3, 4}));
  EXPECT_EQ(jit_groups({"acme", "umbrella/ops"}, ours), (std::set<GroupId>{2, 3, 4, 5, 6}));
  EXPECT_TRUE(jit_groups({}, ours).empty());
  EXPECT_TRUE(jit_groups({"sonar-users"}, ours).empty()) << "never the default group";
}

TEST(ManagedGroupsAtLogin, MatchByGitlabIdThenIncludeSubgroups) {
  const std::vector<Group> managed{group(1, "acme", true, "10"), group(2, "acme/web", true, "11"),
                                   group(3, "acme/web/api", true, "12"),
                                   group(4, "acme/ops", true, "13"),
                                   group(5, "acme/local", false, std::nullopt)};
  // Listed under a new name (renamed in GitLab since the last sync): still matched by id.
  EXPECT_EQ(managed_groups_of({listed(11, "acme/website")}, managed), (std::set<GroupId>{2, 3}));
  EXPECT_EQ(managed_groups_of({listed(10, "acme")}, managed), (std::set<GroupId>{1, 2, 3, 4}));
  // A group that is not mirrored matches nothing, even by name.
  EXPECT_TRUE(managed_groups_of({listed(99, "acme/web")}, managed).empty());
}

TEST(ManagedAncestors, AreFoundByName) {
  const std::vector<Group> managed{group(1, "acme", true, "10"), group(2, "acme/web", true, "11"),
                                   group(3, "acme/web/api", true, "12"),
                                   group(4, "acme/webshop", true, "13")};
  const auto ancestors = managed_ancestors(managed[2], managed);
  ASSERT_EQ(ancestors.size(), 2u);
  EXPECT_EQ(ancestors[0]->id, 1);
  EXPECT_EQ(ancestors[1]->id, 2);
  EXPECT_TRUE(managed_ancestors(managed[3], managed).size() == 1);
}

TEST(ReachedThroughShare, NeedsALiveShareFromAGroupTheUserBelongsTo) {
  gl::Share share{7, "outside/team", 30, std::nullopt};
  EXPECT_TRUE(reached_through_share({share}, {"outside/team"}, "2026-11-28"));
  EXPECT_TRUE(reached_through_share({share}, {"outside"}, "2026-11-28")) << "member of an ancestor";
  EXPECT_FALSE(reached_through_share({share}, {"outside/team-b"}, "2026-11-28"));
  gl::Share expired = share;
  expired.expires_at = "2026-11-28";
  EXPECT_FALSE(reached_through_share({expired}, {"outside/team"}, "2026-11-28"));
  expired.expires_at = "2026-11-29";
  EXPECT_TRUE(reached_through_share({expired}, {"outside/team"}, "2026-11-28"));
  gl::Share minimal = share;
  minimal.group_access_level = 5;
  EXPECT_FALSE(reached_through_share({minimal}, {"outside/team"}, "2026-11-28"));
}

}  // namespace
}  // namespace provisio
