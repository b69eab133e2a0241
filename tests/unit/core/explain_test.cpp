// Explain's rules on hand-written worlds: each kind of grant (direct, inherited, through an
// invited group with its cap, custom role mapped or fallen back) and each reason for no access.
#include "core/explain.hpp"

#include <gtest/gtest.h>

#include "world_builder.hpp"

namespace provisio {
namespace {

using explain::GitlabVerdict;
using testing::WorldBuilder;

constexpr gl::Id kUser = 7;
const std::string kName = "dana";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// acme (1) > acme/web (2) > project acme/web/app (100); outside/team (9) outside the roots.
WorldBuilder world() {
  WorldBuilder w;
  w.group(1, "acme").group(2, "acme/web", 1).group(9, "outside", 0, true);
  w.group(10, "outside/team", 9, true);
  w.project(100, 2, "app");
  return w;
}

GitlabVerdict project(WorldBuilder& w,
                      const std::vector<RoleMapping>& mappings = default_role_mappings(),
                      ProvisioningRules rules = {}) {
  Snapshot& s = w.snapshot();
  return explain::project_verdict(s, s.projects.at(100), kUser, kName, mappings, rules);
}

TEST(Explain, DirectMemberOfTheProject) {
  auto w = world();
  w.project_member(100, kUser, 30);
  const auto v = project(w);
  ASSERT_FALSE(v.reason) << *v.reason;
  EXPECT_EQ(v.level, 30);
  EXPECT_EQ(v.best, "direct member (Developer)");
  EXPECT_EQ(v.mapping, "developer");
  EXPECT_EQ(v.mapping_note, "base role developer");
  EXPECT_TRUE(v.permissions.scan);
  EXPECT_FALSE(v.permissions.admin);
}

TEST(Explain, InheritedFromAnAncestorGroup) {
  auto w = world();
  w.member(1, kUser, 40);
  const auto v = project(w);
  ASSERT_FALSE(v.reason) << *v.reason;
  EXPECT_EQ(v.best, "inherited from acme (Maintainer)");
  EXPECT_TRUE(v.permissions.admin);
}

TEST(Explain, EveryPathIsListedBestFirst) {
  auto w = world();
  w.member(1, kUser, 20).project_member(100, kUser, 30);
  const auto v = project(w);
  ASSERT_EQ(v.paths.size(), 2u);
  EXPECT_EQ(v.paths[0], "direct member (Developer)");
  EXPECT_EQ(v.paths[1], "inherited from acme (Reporter)");
}

TEST(Explain, ThroughAGroupInvitedIntoAGroupWithTheCap) {
  auto w = world();
  w.member(10, kUser, 50).share_group(2, 10, 20);
  const auto v = project(w);
  ASSERT_FALSE(v.reason) << *v.reason;
  EXPECT_EQ(v.level, 20);
  EXPECT_TRUE(contains(v.best, "member of outside/team")) << v.best;
  EXPECT_TRUE(contains(v.best, "invited into acme/web")) << v.best;
  EXPECT_TRUE(contains(v.best, "capped at Reporter")) << v.best;
  EXPECT_EQ(v.mapping, "reporter");
}

TEST(Explain, ThroughAGroupInvitedIntoTheProjectViaItsParent) {
  auto w = world();
  w.member(9, kUser, 30).share_project(100, 10, 40);
  const auto v = project(w);
  ASSERT_FALSE(v.reason) << *v.reason;
  EXPECT_EQ(v.level, 30);
  EXPECT_TRUE(contains(v.best,
                       "member of outside, whose subgroup outside/team is invited into "
                       "acme/web/app"))
      << v.best;
}

TEST(Explain, CustomRoleMappedUsesItsOwnPermissions) {
  auto w = world();
  w.project_member(100, kUser, 20, gl::CustomRoleRef{5, "auditor", 20});
  auto mappings = default_role_mappings();
  RoleMapping auditor;
  auditor.role = "auditor";
  auditor.permissions.user = true;
  auditor.permissions.security_hotspot_admin = true;
  mappings.push_back(auditor);
  const auto v = project(w, mappings);
  ASSERT_FALSE(v.reason) << *v.reason;
  EXPECT_EQ(v.mapping, "auditor");
  EXPECT_EQ(v.mapping_note, "custom role auditor is mapped: its own permissions apply");
  EXPECT_TRUE(v.permissions.security_hotspot_admin);
  EXPECT_FALSE(v.permissions.code_viewer);
}

TEST(Explain, CustomRoleWithoutMappingFallsBackToItsBaseRole) {
  auto w = world();
  w.project_member(100, kUser, 20, gl::CustomRoleRef{5, "auditor", 20});
  const auto v = project(w);
  ASSERT_FALSE(v.reason) << *v.reason;
  EXPECT_EQ(v.mapping, "reporter");
  EXPECT_EQ(v.mapping_note,
            "custom role auditor has no mapping: fell back to its base role reporter");
  EXPECT_TRUE(v.permissions.code_viewer);
}

TEST(Explain, NotAMemberAnywhere) {
  auto w = world();
  const auto v = project(w);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "is not a member of the GitLab project acme/web/app"))
      << *v.reason;
  EXPECT_EQ(v.level, 0);
}

TEST(Explain, AnExpiredMembershipSaysWhenItExpired) {
  auto w = world();
  w.member(2, kUser, 30, gl::Date("2026-11-01"));
  const auto v = project(w);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "membership of @dana in acme/web expired on 2026-11-01"))
      << *v.reason;
}

TEST(Explain, AnExpiredShareSaysWhenItExpired) {
  auto w = world();
  w.member(10, kUser, 30).share_group(2, 10, 30, gl::Date("2026-10-01"));
  const auto v = project(w);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "outside/team into acme/web expired on 2026-10-01")) << *v.reason;
}

TEST(Explain, MinimalAccessGivesNothing) {
  auto w = world();
  w.member(2, kUser, 5);
  const auto v = project(w);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "only minimal access to acme/web")) << *v.reason;
}

TEST(Explain, APendingInvitationGivesNothing) {
  auto w = world();
  w.member(2, kUser, 30);
  w.snapshot().group_members[2].back().membership_state = "awaiting";
  const auto v = project(w);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "still pending")) << *v.reason;
}

TEST(Explain, BlockedUsersAreExcluded) {
  auto w = world();
  w.member(1, kUser, 30, std::nullopt, std::nullopt, "blocked");
  const auto v = project(w);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "is blocked in GitLab")) << *v.reason;
}

TEST(Explain, BotsAreExcluded) {
  auto w = world();
  w.user(kUser, kName, /*bot=*/true).member(1, kUser, 30);
  const auto v = project(w);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "is a bot")) << *v.reason;
  // An access token's user is a bot by its name alone.
  auto w2 = world();
  w2.member(1, kUser, 30);
  Snapshot& s = w2.snapshot();
  const auto v2 = explain::project_verdict(s, s.projects.at(100), kUser, "project_12_bot_ab12",
                                           default_role_mappings(), {});
  ASSERT_TRUE(v2.reason);
  EXPECT_TRUE(contains(*v2.reason, "is a bot")) << *v2.reason;
  // So is a service account, with the same words as the sync's warning.
  const auto v3 =
      explain::project_verdict(s, s.projects.at(100), kUser, "service_account_group_164_8f57e9cd",
                               default_role_mappings(), {});
  ASSERT_TRUE(v3.reason);
  EXPECT_TRUE(contains(*v3.reason,
                       "GitLab bots (access-token users and service accounts) are "
                       "not provisioned"))
      << *v3.reason;
}

TEST(Explain, OutsideOnlyUsersAreExcludedWhenTheSettingSaysSo) {
  auto w = world();
  w.member(10, kUser, 30).share_group(2, 10, 30);
  ProvisioningRules rules;
  rules.include_outside_invited = false;
  const auto v = project(w, default_role_mappings(), rules);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "only through groups outside the allowed groups")) << *v.reason;
}

TEST(Explain, ARoleMappedToNoPermission) {
  auto w = world();
  w.project_member(100, kUser, 10);
  auto mappings = default_role_mappings();
  for (RoleMapping& m : mappings) {
    if (m.role == "guest") m.permissions = RolePermissions{};
  }
  const auto v = project(w, mappings);
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "gives the role guest no permission")) << *v.reason;
}

TEST(Explain, AProjectOutsideTheAllowedGroups) {
  auto w = world();
  w.project(200, 10, "tool").project_member(200, kUser, 30);
  Snapshot& s = w.snapshot();
  const auto v =
      explain::project_verdict(s, s.projects.at(200), kUser, kName, default_role_mappings(), {});
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "outside/team/tool is not in the allowed groups")) << *v.reason;
}

TEST(Explain, GroupMembershipDirectInheritedAndShared) {
  auto w = world();
  w.member(1, kUser, 30);
  auto v = explain::group_verdict(w.snapshot(), 2, kUser, kName, {});
  ASSERT_FALSE(v.reason) << *v.reason;
  EXPECT_EQ(v.best, "inherited from acme (Developer)");
  auto w2 = world();
  w2.member(10, kUser, 40).share_group(2, 10, 30);
  v = explain::group_verdict(w2.snapshot(), 2, kUser, kName, {});
  ASSERT_FALSE(v.reason) << *v.reason;
  EXPECT_TRUE(contains(v.best, "capped at Developer")) << v.best;
  auto w3 = world();
  v = explain::group_verdict(w3.snapshot(), 2, kUser, kName, {});
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "not a member of the GitLab group acme/web")) << *v.reason;
  v = explain::group_verdict(w3.snapshot(), 10, kUser, kName, {});
  ASSERT_TRUE(v.reason);
  EXPECT_TRUE(contains(*v.reason, "not in the allowed groups")) << *v.reason;
}

TEST(Explain, PermissionLinesJoinGitlabAndLocalGrants) {
  auto w = world();
  w.member(1, kUser, 20);
  const auto v = project(w);
  // The sync granted user (and not yet codeviewer); a local group grants scan; a stale grant of
  // issueadmin is left from an earlier role.
  const auto lines = explain::permission_lines(
      v, {{"user", std::nullopt}, {"scan", "ci-bots"}, {"issueadmin", std::nullopt}}, true);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].permission, "user");
  EXPECT_TRUE(lines[0].held && lines[0].from_gitlab);
  ASSERT_EQ(lines[0].why.size(), 1u);
  EXPECT_EQ(lines[0].why[0],
            "GitLab role reporter (base role reporter): inherited from acme (Reporter)");
  EXPECT_EQ(lines[1].permission, "codeviewer");
  EXPECT_FALSE(lines[1].held);
  EXPECT_EQ(lines[1].why.back(), "not held yet: the next synchronization grants it");
  EXPECT_EQ(lines[2].permission, "issueadmin");
  EXPECT_FALSE(lines[2].from_gitlab);
  EXPECT_TRUE(contains(lines[2].why[0], "next synchronization revokes it"));
  EXPECT_EQ(lines[3].permission, "scan");
  EXPECT_EQ(lines[3].why[0], "granted to the group ci-bots, of which the user is a member");
  // A local user's own grants are by hand.
  const auto local = explain::permission_lines(std::nullopt, {{"admin", std::nullopt}}, false);
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0].why[0], "granted by hand to the user");
}

}  // namespace
}  // namespace provisio
