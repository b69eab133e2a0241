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

// The ids joined and left, sorted, for comparisons.
std::pair<std::set<GroupId>, std::set<GroupId>> moves(const JitMemberships& m) {
  return {{m.join.begin(), m.join.end()}, {m.leave.begin(), m.leave.end()}};
}

const std::vector<Group> kOurs{group(1, "sonar-users", false, std::nullopt, true),
                               group(2, "acme"),
                               group(3, "acme/web"),
                               group(4, "acme/web/api"),
                               group(5, "acme/webshop"),
                               group(6, "umbrella/ops"),
                               group(7, "local-team"),
                               group(8, "sonar-administrators")};

TEST(JitGroups, AreTheExistingGroupsNamedByTheUsersPathsAndTheirSubgroups) {
  EXPECT_EQ(moves(jit_memberships({"acme/web"}, kOurs, {}, {})),
            (std::pair<std::set<GroupId>, std::set<GroupId>>{{3, 4}, {}}));
  EXPECT_EQ(moves(jit_memberships({"acme", "umbrella/ops"}, kOurs, {}, {})).first,
            (std::set<GroupId>{2, 3, 4, 5, 6}));
  EXPECT_EQ(moves(jit_memberships({}, kOurs, {2, 7}, {})),
            (std::pair<std::set<GroupId>, std::set<GroupId>>{{}, {2, 7}}));
  EXPECT_TRUE(moves(jit_memberships({"sonar-users"}, kOurs, {}, {})).first.empty())
      << "never the default group";
  EXPECT_TRUE(moves(jit_memberships({}, kOurs, {1}, {})).second.empty())
      << "nobody leaves the default group";
}

TEST(JitGroups, MatchNamesInExactCase) {
  // GitLab keeps the case of a path; a group here named in another case is another name.
  const auto m = jit_memberships({"ACME/Web", "Local-Team"}, kOurs, {}, {});
  EXPECT_TRUE(m.join.empty());
  EXPECT_TRUE(m.refused.empty());
  EXPECT_EQ(moves(jit_memberships({"acme/Web"}, kOurs, {}, {})).first, (std::set<GroupId>{}))
      << "acme/Web is not acme/web, and acme/web/api is not below it";
}

TEST(JitGroups, WithAnAllowlistIgnoreGroupsOutsideItAndSaySo) {
  JitGroupRules rules;
  rules.allowed_roots = {"acme"};
  // A root group anyone can create in GitLab, named like a local group of ours.
  const auto m = jit_memberships({"acme/web", "local-team", "umbrella/ops"}, kOurs, {}, rules);
  EXPECT_EQ(moves(m).first, (std::set<GroupId>{3, 4}));
  ASSERT_EQ(m.refused.size(), 2U);
  EXPECT_EQ(m.refused[0].name, "umbrella/ops");
  EXPECT_EQ(m.refused[1].name, "local-team");
  EXPECT_TRUE(m.refused[1].join);
  EXPECT_NE(m.refused[1].reason.find("outside the allowed groups"), std::string::npos);
  // A member of a group the allowlist no longer reaches leaves it.
  EXPECT_EQ(moves(jit_memberships({"acme/web"}, kOurs, {7}, rules)).second, (std::set<GroupId>{7}));
}

TEST(JitGroups, NeverJoinOrLeaveAPrivilegedGroupUnlessTheOperatorListsIt) {
  JitGroupRules rules;
  rules.privileged = {8};
  // A GitLab root group named like the local administrators' group: no way in.
  const auto in = jit_memberships({"sonar-administrators"}, kOurs, {}, rules);
  EXPECT_TRUE(in.join.empty());
  ASSERT_EQ(in.refused.size(), 1U);
  EXPECT_EQ(in.refused[0].group, 8);
  EXPECT_TRUE(in.refused[0].join);
  EXPECT_NE(in.refused[0].reason.find("global administrative permission"), std::string::npos);
  // Nor out: an administrator added by hand stays one.
  const auto out = jit_memberships({}, kOurs, {8}, rules);
  EXPECT_TRUE(out.leave.empty());
  ASSERT_EQ(out.refused.size(), 1U);
  EXPECT_FALSE(out.refused[0].join);
  // Listed by the operator: managed like any group.
  rules.managed_privileged = {"sonar-administrators"};
  EXPECT_EQ(moves(jit_memberships({"sonar-administrators"}, kOurs, {}, rules)).first,
            (std::set<GroupId>{8}));
  EXPECT_EQ(moves(jit_memberships({}, kOurs, {8}, rules)).second, (std::set<GroupId>{8}));
  // A member already, and GitLab agrees: nothing to refuse.
  rules.managed_privileged.clear();
  EXPECT_TRUE(jit_memberships({"sonar-administrators"}, kOurs, {8}, rules).refused.empty());
}

TEST(JitGroups, AdministrativePermissionsAreTheGlobalOnesThatAdministerSomething) {
  for (const char* p : {"admin", "gateadmin", "profileadmin", "provisioning"}) {
    EXPECT_TRUE(is_administrative_permission(p)) << p;
  }
  for (const char* p : {"scan", "user", "codeviewer", ""}) {
    EXPECT_FALSE(is_administrative_permission(p)) << p;
  }
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
