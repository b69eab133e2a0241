// GitLab's effective access, rule by rule, on a world written by hand. Expected levels come
// from GitLab's documented rules (CONTRACT.md §5.2 and its settled items).
#include "core/effective_access.hpp"

#include <gtest/gtest.h>

#include "world_builder.hpp"

namespace provisio::access {
namespace {

constexpr gl::Id kAcme = 1, kWeb = 2, kUi = 3, kOutside = 10, kTeam = 11, kUmbrella = 20;
constexpr gl::Id kProject = 500;
const gl::CustomRoleRef kAuditor{7, "Security Auditor", 20};
const gl::CustomRoleRef kViewer{8, "Viewer", 10};

Snapshot world() {
  testing::WorldBuilder w;
  w.group(kAcme, "acme")
      .group(kWeb, "acme/web", kAcme)
      .group(kUi, "acme/web/ui", kWeb)
      .group(kOutside, "outside", 0, /*outside=*/true)
      .group(kTeam, "outside/team", kOutside, /*outside=*/true)
      .group(kUmbrella, "umbrella");
  w.member(kAcme, 100, 30)  // inherited everywhere below
      .member(kAcme, 101, 20)
      .member(kWeb, 101, 40)                // a higher direct level wins below
      .member(kWeb, 102, 30, "2026-11-28")  // expires today: gone
      .member(kWeb, 103, 30, "2026-11-29")  // expires tomorrow: counts
      .member(kAcme, 104, 5)                // minimal access
      .member(kUi, 105, 15)                 // planner
      .member(kTeam, 106, 40)               // invited group's direct member
      .member(kOutside, 107, 50)            // the invited group's parent: not for groups
      .member(kWeb, 108, 20, std::nullopt, kAuditor)
      .member(kTeam, 109, 10, std::nullopt, kViewer)
      .member(kUmbrella, 111, 50);
  w.share_group(kWeb, kTeam, 20)                         // capped at Reporter
      .share_group(kAcme, kUmbrella, 30, "2026-01-01");  // expired share: nothing
  w.project(kProject, kWeb, "shop")
      .project_member(kProject, 110, 30)    // a project-only member
      .project_member(kProject, 101, 10)    // lower than inherited: inherited wins
      .share_project(kProject, kTeam, 30);  // members of team and of outside, capped
  return w.snapshot();
}

std::map<gl::Id, int> levels(const AccessMap& m) {
  std::map<gl::Id, int> out;
  for (const auto& [user, a] : m) out[user] = a.level;
  return out;
}

TEST(EffectiveAccess, OfARootGroup) {
  const Snapshot s = world();
  const auto acme = group_access(s, kAcme, nullptr);
  EXPECT_EQ(levels(acme), (std::map<gl::Id, int>{{100, 30}, {101, 20}, {104, 5}}));
}

TEST(EffectiveAccess, InheritsFromAncestorsAndAddsDirectMembersAndCappedShares) {
  const Snapshot s = world();
  const auto acme = group_access(s, kAcme, nullptr);
  const auto web = group_access(s, kWeb, &acme);
  EXPECT_EQ(levels(web),
            (std::map<gl::Id, int>{
                {100, 30}, {101, 40}, {103, 30}, {104, 5}, {106, 20}, {108, 20}, {109, 10}}));
  EXPECT_EQ(web.at(100).best.via, Via::kInherited);
  EXPECT_EQ(web.at(100).best.member_of, kAcme);
  EXPECT_EQ(web.at(101).best.via, Via::kDirect);
  EXPECT_EQ(web.at(106).best.via, Via::kGroupShare);
  EXPECT_EQ(web.at(106).best.member_level, 40);
  EXPECT_EQ(web.at(106).best.cap, 20);
  EXPECT_TRUE(web.at(106).best.from_outside);
  EXPECT_FALSE(web.at(106).inside);
  EXPECT_TRUE(web.at(100).inside);
}

TEST(EffectiveAccess, SharesIntoAnAncestorReachSubgroups) {
  const Snapshot s = world();
  const auto acme = group_access(s, kAcme, nullptr);
  const auto web = group_access(s, kWeb, &acme);
  const auto ui = group_access(s, kUi, &web);
  EXPECT_EQ(ui.at(106).level, 20);
  EXPECT_EQ(ui.at(105).level, 15);  // planner
  EXPECT_EQ(ui.at(101).best.via, Via::kInherited);
  EXPECT_EQ(ui.at(101).best.member_of, kWeb);
  EXPECT_EQ(ui.count(107), 0u);  // the invited group's parent's members get nothing
  EXPECT_EQ(ui.count(102), 0u);  // expired
  EXPECT_EQ(ui.count(111), 0u);  // expired share
}

TEST(EffectiveAccess, CustomRolesSurviveUnlessTheShareLowersTheLevel) {
  const Snapshot s = world();
  const auto acme = group_access(s, kAcme, nullptr);
  const auto web = group_access(s, kWeb, &acme);
  ASSERT_TRUE(web.at(108).best.custom_role);
  EXPECT_EQ(web.at(108).best.custom_role->name, "Security Auditor");
  ASSERT_TRUE(web.at(109).best.custom_role);  // 10 <= cap 20: kept
  EXPECT_EQ(web.at(109).best.custom_role->name, "Viewer");

  // A custom role above the share's cap: the level is lowered to the cap, and the role, which
  // was defined at the higher level, is dropped (the base role of the cap applies).
  const gl::CustomRoleRef release_manager{9, "Release Manager", 30};
  testing::WorldBuilder w;
  w.group(1, "app").group(2, "guests", 0, /*outside=*/true);
  w.member(2, 300, 30, std::nullopt, release_manager)
      .member(2, 301, 20, std::nullopt, kAuditor);  // at the cap: kept
  w.share_group(1, 2, 20);
  const auto app = group_access(w.snapshot(), 1, nullptr);
  ASSERT_EQ(app.count(300), 1u);
  EXPECT_EQ(app.at(300).level, 20);
  EXPECT_EQ(app.at(300).best.member_level, 30);
  EXPECT_FALSE(app.at(300).best.custom_role) << app.at(300).best.custom_role->name;
  ASSERT_TRUE(app.at(301).best.custom_role);
  EXPECT_EQ(app.at(301).best.custom_role->name, "Security Auditor");
}

TEST(EffectiveAccess, OfAProject) {
  const Snapshot s = world();
  const auto acme = group_access(s, kAcme, nullptr);
  const auto web = group_access(s, kWeb, &acme);
  const auto p = project_access(s, s.projects.at(kProject), &web);
  EXPECT_EQ(levels(p),
            (std::map<gl::Id, int>{{100, 30},
                                   {101, 40},
                                   {103, 30},
                                   {104, 5},
                                   {106, 30},  // the project share (30) beats the group share (20)
                                   {107, 30},  // the invited group's ancestor counts for projects
                                   {108, 20},
                                   {109, 10},
                                   {110, 30}}));
  EXPECT_EQ(p.at(110).best.via, Via::kDirect);
  EXPECT_EQ(p.at(106).best.via, Via::kProjectShare);
  EXPECT_EQ(p.at(107).best.member_of, kOutside);
  EXPECT_EQ(p.at(107).best.invited, kTeam);
  EXPECT_EQ(p.at(101).best.via, Via::kInherited);
}

TEST(EffectiveAccess, AwaitingMembersDoNotCount) {
  testing::WorldBuilder w;
  w.group(1, "g").member(1, 5, 30);
  w.snapshot().group_members[1][0].membership_state = "awaiting";
  EXPECT_TRUE(group_access(w.snapshot(), 1, nullptr).empty());
}

TEST(Explain, ListsEveryPathBestFirst) {
  const Snapshot s = world();
  const auto paths = group_paths(s, kUi, 101);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0].level, 40);
  EXPECT_EQ(describe(s, paths[0]), "inherited from acme/web (Maintainer)");
  EXPECT_EQ(describe(s, paths[1]), "inherited from acme (Reporter)");
  const auto shared = group_paths(s, kUi, 106);
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(describe(s, shared[0]),
            "member of outside/team invited into acme/web (Maintainer, capped at Reporter)");
  const auto project = project_paths(s, s.projects.at(kProject), 107);
  ASSERT_EQ(project.size(), 1u);
  EXPECT_EQ(describe(s, project[0]),
            "member of outside, whose subgroup outside/team is invited into acme/web/shop "
            "(Owner, capped at Developer)");
  const auto custom = group_paths(s, kWeb, 108);
  EXPECT_EQ(describe(s, custom[0]), "direct member (custom role Security Auditor (Reporter))");
  EXPECT_TRUE(group_paths(s, kUi, 102).empty());  // expired: no path, explain says none
}

}  // namespace
}  // namespace provisio::access
