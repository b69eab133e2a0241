// "Never without an administrator": which changes leave an active holder of global `admin`.
#include "core/admin_guard.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

User user(UserId id, bool local, bool active = true) {
  User u;
  u.id = id;
  u.login = "u" + std::to_string(id);
  u.local = local;
  u.active = active;
  return u;
}

PermissionGrant admin_of_user(UserId id) {
  PermissionGrant g;
  g.user_id = id;
  g.permission = "admin";
  return g;
}

PermissionGrant admin_of_group(GroupId id) {
  PermissionGrant g;
  g.group_id = id;
  g.permission = "admin";
  return g;
}

// 1: local, own grant. 2: GitLab user in group 10 (admin). 3: inactive, own grant. 4: a project
// admin only. 5: local member of group 11 (gateadmin only).
AuthorizationState state() {
  AuthorizationState s;
  s.users = {user(1, true), user(2, false), user(3, true, false), user(4, true), user(5, true)};
  Group g10;
  g10.id = 10;
  Group g11;
  g11.id = 11;
  s.groups = {g10, g11};
  s.memberships = GroupMembers{{10, 2}, {10, 3}, {11, 5}};
  PermissionGrant project_admin = admin_of_user(4);
  project_admin.project_id = 7;
  PermissionGrant gate;
  gate.group_id = 11;
  gate.permission = "gateadmin";
  s.permissions = {admin_of_user(1), admin_of_group(10), admin_of_user(3), project_admin, gate};
  return s;
}

TEST(AdminHoldings, AreTheActiveUsersWithGlobalAdminDirectlyOrThroughAGroup) {
  const std::vector<AdminHolding> expected = {{1, true, std::nullopt}, {2, false, GroupId{10}}};
  EXPECT_EQ(admin_holdings(state()), expected);
}

TEST(KeepsAnAdministrator, RefusesTakingTheLastHoldingAwayByEveryPath) {
  const auto holdings = admin_holdings(state());
  AdminLoss direct;
  direct.direct_grants = {1};
  EXPECT_TRUE(keeps_an_administrator(holdings, direct, "x")) << "2 still holds it";

  AdminLoss both = direct;
  both.groups = {10};
  const auto refused = keeps_an_administrator(holdings, both, "Deleting the group 'g'");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.error().message.rfind("Deleting the group 'g' would leave no active user", 0),
            0u)
      << refused.error().message;

  AdminLoss member = direct;
  member.memberships = {{10, 2}};
  EXPECT_FALSE(keeps_an_administrator(holdings, member, "x"));
  AdminLoss other_member = direct;
  other_member.memberships = {{10, 3}, {11, 2}};
  EXPECT_TRUE(keeps_an_administrator(holdings, other_member, "x"));

  AdminLoss deactivated;
  deactivated.users = {1, 2};
  EXPECT_FALSE(keeps_an_administrator(holdings, deactivated, "x"));
  deactivated.users = {2, 3, 4, 5};
  EXPECT_TRUE(keeps_an_administrator(holdings, deactivated, "x"));
}

TEST(KeepsAnAdministrator, CountsOnlyLocalUsersOnceGitlabLoginsEnd) {
  const auto holdings = admin_holdings(state());
  AdminLoss logins;
  logins.gitlab_logins = true;
  EXPECT_TRUE(keeps_an_administrator(holdings, logins, "x")) << "1 is local";
  logins.direct_grants = {1};
  const auto refused = keeps_an_administrator(holdings, logins, "Disabling GitLab");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("grant 'admin' to a local user first"), std::string::npos)
      << refused.error().message;
}

TEST(KeepsAnAdministrator, NeverBlocksTheRepairOfAStateWithoutOne) {
  AdminLoss everything;
  everything.users = {1, 2, 3};
  EXPECT_TRUE(keeps_an_administrator({}, everything, "x"));
}

TEST(AdminLossOf, NamesWhatAPlanTakesAway) {
  ChangeSet plan;
  User off = user(2, false, false);
  plan.users_to_update = {off, user(5, true)};
  plan.groups_to_delete = {11};
  plan.memberships_to_remove.push_back({RowRef::of_id(10), RowRef::of_id(2), 0});
  plan.memberships_to_remove.push_back({RowRef::of_created(0), RowRef::of_id(1), 0});
  const AdminLoss loss = admin_loss_of(plan);
  EXPECT_EQ(loss.users, std::set<UserId>{2});
  EXPECT_EQ(loss.groups, std::set<GroupId>{11});
  EXPECT_EQ(loss.memberships, (std::set<Membership>{{10, 2}}));
  EXPECT_FALSE(loss.gitlab_logins);
  EXPECT_FALSE(keeps_an_administrator(
      admin_holdings(state()),
      [&] {
        AdminLoss l = loss;
        l.direct_grants = {1};
        return l;
      }(),
      "The plan"));
}

}  // namespace
}  // namespace provisio
