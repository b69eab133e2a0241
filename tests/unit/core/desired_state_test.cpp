// Who is provisioned, which groups are mirrored with whom, which permissions follow: behaviour.md
// §3, rule by rule.
#include "core/desired_state.hpp"

#include <gtest/gtest.h>

#include "world_builder.hpp"

namespace provisio {
namespace {

constexpr gl::Id kAcme = 1, kWeb = 2, kOutside = 10, kTeam = 11;
constexpr gl::Id kShop = 500, kWiki = 501;

testing::WorldBuilder base_world() {
  testing::WorldBuilder w;
  w.group(kAcme, "acme").group(kWeb, "acme/web", kAcme);
  w.group(kOutside, "outside", 0, true).group(kTeam, "outside/team", kOutside, true);
  w.project(kShop, kWeb, "shop", "public").project(kWiki, kAcme, "wiki", "internal");
  return w;
}

std::vector<gl::Id> users_of(const DesiredState& d) {
  std::vector<gl::Id> out;
  for (const auto& u : d.users) out.push_back(u.gitlab_id);
  return out;
}

std::vector<std::pair<gl::Id, gl::Id>> memberships_of(const DesiredState& d) {
  std::vector<std::pair<gl::Id, gl::Id>> out;
  for (const auto& g : d.groups) {
    for (const auto& m : g.members) out.emplace_back(g.gitlab_id, d.users.at(m.user).gitlab_id);
  }
  return out;
}

const DesiredPermissions* permissions_of(const DesiredState& d, gl::Id project, gl::Id user) {
  for (const auto& p : d.permissions) {
    if (p.project == project && p.user == user) return &p;
  }
  return nullptr;
}

TEST(DesiredState, MirrorsEveryGroupInScopeByFullPath) {
  auto w = base_world();
  const auto d = desired_state(w.snapshot(), {}, default_role_mappings(), {});
  ASSERT_EQ(d.groups.size(), 2u);
  EXPECT_EQ(d.groups[0].full_path, "acme");
  EXPECT_EQ(d.groups[1].full_path, "acme/web");
}

TEST(DesiredState, ProvisionsEveryoneWithGuestOrMoreSomewhereInScope) {
  auto w = base_world();
  w.member(kAcme, 1, 30)                   // inherited into acme/web
      .member(kWeb, 2, 15)                 // planner counts
      .member(kAcme, 3, 5)                 // minimal access only: not by default
      .member(kTeam, 4, 30)                // only through a group invited from outside
      .project_member(kShop, 5, 10)        // a member of a project only
      .member(kWeb, 6, 30, "2026-01-01");  // expired
  w.share_group(kWeb, kTeam, 20);
  const auto d = desired_state(w.snapshot(), {}, default_role_mappings(), {});
  EXPECT_EQ(users_of(d), (std::vector<gl::Id>{1, 2, 4, 5}));
  EXPECT_EQ(memberships_of(d),
            (std::vector<std::pair<gl::Id, gl::Id>>{{kAcme, 1}, {kWeb, 1}, {kWeb, 2}, {kWeb, 4}}));

  ProvisioningRules strict;
  strict.include_outside_invited = false;
  strict.include_project_only_members = false;
  strict.include_minimal_access = true;
  const auto s = desired_state(w.snapshot(), {}, default_role_mappings(), strict);
  EXPECT_EQ(users_of(s), (std::vector<gl::Id>{1, 2, 3}));
  // A minimal-access user is provisioned but belongs to no mirrored group.
  EXPECT_EQ(memberships_of(s),
            (std::vector<std::pair<gl::Id, gl::Id>>{{kAcme, 1}, {kWeb, 1}, {kWeb, 2}}));
}

TEST(DesiredState, SkipsBotsAndBlockedUsersByDefault) {
  auto w = base_world();
  w.member(kAcme, 1, 30).member(kAcme, 2, 30).member(kAcme, 3, 30);
  w.member(kAcme, 4, 30, std::nullopt, std::nullopt, "blocked");
  w.user(2, "deploy-bot", /*bot=*/true).user(3, "project_42_bot_3f2a");
  const auto d = desired_state(w.snapshot(), {}, default_role_mappings(), {});
  EXPECT_EQ(users_of(d), (std::vector<gl::Id>{1}));
  ASSERT_FALSE(d.warnings.empty());
  EXPECT_EQ(d.warnings[0],
            "2 bot users skipped: GitLab bots (access-token users and service accounts) are not "
            "provisioned");

  ProvisioningRules all;
  all.include_bots = true;
  all.include_inactive = true;
  EXPECT_EQ(users_of(desired_state(w.snapshot(), {}, default_role_mappings(), all)),
            (std::vector<gl::Id>{1, 2, 3, 4}));
}

TEST(DesiredState, GivesBoundProjectsThePermissionsOfTheRoleMapping) {
  auto w = base_world();
  const gl::CustomRoleRef auditor{7, "Security Auditor", 20};
  const gl::CustomRoleRef unmapped{8, "Release Manager", 30};
  w.member(kAcme, 1, 30)                            // developer, inherited
      .member(kWeb, 2, 15)                          // planner
      .member(kWeb, 3, 20, std::nullopt, auditor)   // custom role, mapped
      .member(kWeb, 4, 30, std::nullopt, unmapped)  // custom role, falls back to developer
      .member(kWeb, 5, 50);                         // owner
  auto mappings = default_role_mappings();
  mappings.push_back({"Security Auditor", {true, true, false, true, false, false}});
  const auto d = desired_state(w.snapshot(), {kShop}, mappings, {});

  const auto* dev = permissions_of(d, kShop, 1);
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->role, "developer");
  EXPECT_EQ(dev->permissions, (RolePermissions{true, true, true, true, false, true}));
  EXPECT_EQ(permissions_of(d, kShop, 2)->role, "planner");
  EXPECT_EQ(permissions_of(d, kShop, 2)->permissions, (RolePermissions{true}));
  EXPECT_EQ(permissions_of(d, kShop, 3)->role, "Security Auditor");
  EXPECT_EQ(permissions_of(d, kShop, 3)->permissions,
            (RolePermissions{true, true, false, true, false, false}));
  EXPECT_EQ(permissions_of(d, kShop, 4)->role, "developer");
  EXPECT_TRUE(permissions_of(d, kShop, 5)->permissions.admin);
  // Unbound projects get nothing.
  EXPECT_EQ(permissions_of(d, kWiki, 1), nullptr);
  EXPECT_EQ(d.visibilities,
            (std::vector<std::pair<gl::Id, Visibility>>{{kShop, Visibility::kPublic}}));
}

TEST(DesiredState, InternalProjectsArePrivate) {
  auto w = base_world();
  const auto d = desired_state(w.snapshot(), {kWiki}, default_role_mappings(), {});
  EXPECT_EQ(d.visibilities,
            (std::vector<std::pair<gl::Id, Visibility>>{{kWiki, Visibility::kPrivate}}));
}

TEST(DesiredState, WarnsAboutABindingOutsideTheAllowedGroups) {
  auto w = base_world();
  const auto d = desired_state(w.snapshot(), {999}, default_role_mappings(), {});
  ASSERT_FALSE(d.warnings.empty());
  EXPECT_NE(d.warnings.back().find("999"), std::string::npos);
}

TEST(DesiredState, UsesTheEmailTheTokenCanSee) {
  auto w = base_world();
  w.member(kAcme, 1, 30).member(kAcme, 2, 30);
  w.user(1, "alice", false, "alice@example.com");
  const auto d = desired_state(w.snapshot(), {}, default_role_mappings(), {});
  EXPECT_EQ(d.users[0].email, "alice@example.com");
  EXPECT_FALSE(d.users[1].email);
  EXPECT_NE(d.warnings.back().find("1 provisioned users without an email"), std::string::npos);
}

}  // namespace
}  // namespace provisio
