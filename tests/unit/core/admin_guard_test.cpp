// Never without an administrator (behaviour.md §5): which changes leave an active holder of
// global `admin`, whether they come through the API (holdings and what a change takes away) or
// as a change set a sync is about to apply.
#include "core/admin_guard.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

// ---- The API's and the command line's changes: holdings and losses.
namespace api_changes {

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

}  // namespace api_changes

// ---- A sync's change sets, over the state they were computed from.
namespace plans {

User user(UserId id, bool active = true) {
  User u;
  u.id = id;
  u.login = "u" + std::to_string(id);
  u.active = active;
  return u;
}

Group group(GroupId id) {
  Group g;
  g.id = id;
  g.name = "g" + std::to_string(id);
  return g;
}

PermissionGrant global_to_user(UserId u, std::string p = "admin") {
  return {std::nullopt, u, std::nullopt, std::move(p)};
}
PermissionGrant global_to_group(GroupId g, std::string p = "admin") {
  return {std::nullopt, std::nullopt, g, std::move(p)};
}

// Users 1..3; group 10 holds Administer System with user 2 in it; user 1 holds it directly.
AuthorizationState state() {
  AuthorizationState s;
  s.users = {user(1), user(2), user(3)};
  s.groups = {group(10), group(11)};
  s.memberships = GroupMembers{{10, 2}, {11, 3}};
  s.permissions = {global_to_user(1),
                   global_to_group(10),
                   global_to_user(3, "scan"),
                   {std::optional<ProjectId>(5), std::optional<UserId>(3), std::nullopt, "admin"}};
  return s;
}

ChangeSet deactivating(std::initializer_list<UserId> ids) {
  ChangeSet c;
  for (const UserId id : ids) c.users_to_update.push_back(user(id, false));
  return c;
}

TEST(AdminGuard, AnActiveHolderDirectOrThroughAGroupCounts) {
  EXPECT_TRUE(has_active_administrator(state()));
  AuthorizationState s = state();
  s.users = {user(1, false), user(2, false), user(3)};
  EXPECT_FALSE(has_active_administrator(s)) << "user 3 holds scan and a project's admin only";
}

TEST(AdminGuard, OneAdministratorLeftIsEnough) {
  EXPECT_FALSE(leaves_no_administrator(state(), deactivating({1})));
  EXPECT_FALSE(leaves_no_administrator(state(), deactivating({2})));
  EXPECT_TRUE(leaves_no_administrator(state(), deactivating({1, 2})));
}

TEST(AdminGuard, EachWayOfLosingTheLastOneCounts) {
  ChangeSet c = deactivating({1});
  c.memberships_to_remove.push_back({RowRef::of_id(10), RowRef::of_id(2)});
  EXPECT_TRUE(leaves_no_administrator(state(), c)) << "the last member leaves the group";

  c = deactivating({1});
  c.groups_to_delete = {10};
  EXPECT_TRUE(leaves_no_administrator(state(), c)) << "the group is deleted";

  c = deactivating({2});
  c.global_permissions_to_revoke.push_back({RowRef::of_id(1), "admin"});
  EXPECT_TRUE(leaves_no_administrator(state(), c)) << "the direct grant is revoked";

  c = deactivating({2});
  c.global_permissions_to_revoke.push_back({RowRef::of_id(1), "scan"});
  EXPECT_FALSE(leaves_no_administrator(state(), c)) << "another permission revoked";
}

TEST(AdminGuard, AMemberWhoJoinsAnAdministratorsGroupCounts) {
  ChangeSet c = deactivating({1, 2});
  c.memberships_to_add.push_back({RowRef::of_id(10), RowRef::of_id(3)});
  EXPECT_FALSE(leaves_no_administrator(state(), c));
  // A user created now, joining it, counts too.
  c = deactivating({1, 2});
  c.users_to_create.push_back(user(0));
  c.memberships_to_add.push_back({RowRef::of_id(10), RowRef::of_created(0)});
  EXPECT_FALSE(leaves_no_administrator(state(), c));
  // Joining a group that holds something else does not.
  c = deactivating({1, 2});
  c.memberships_to_add.push_back({RowRef::of_id(11), RowRef::of_id(3)});
  EXPECT_TRUE(leaves_no_administrator(state(), c));
}

TEST(AdminGuard, NothingToLoseIsNotThisChangesDoing) {
  AuthorizationState s = state();
  s.permissions.clear();
  EXPECT_FALSE(leaves_no_administrator(s, deactivating({1, 2, 3})));
}

TEST(AdminGuard, AUserReactivatedWithTheirOwnGrantOrInAnAdministratorsGroupCounts) {
  AuthorizationState s = state();
  s.users = {user(1), user(2, false), user(3)};  // user 2, in group 10, is inactive
  ChangeSet c = deactivating({1});
  EXPECT_TRUE(leaves_no_administrator(s, c));
  c.users_to_update.push_back(user(2));
  EXPECT_FALSE(leaves_no_administrator(s, c)) << "2 comes back as a member of group 10";
  c.memberships_to_remove.push_back({RowRef::of_id(10), RowRef::of_id(2)});
  EXPECT_TRUE(leaves_no_administrator(s, c)) << "and leaves group 10 at once";

  s.users = {user(1), user(2), user(3, false)};
  s.permissions.push_back(global_to_user(3));
  c = deactivating({1, 2});
  EXPECT_TRUE(leaves_no_administrator(s, c));
  c.users_to_update.push_back(user(3));
  EXPECT_FALSE(leaves_no_administrator(s, c)) << "3 comes back holding it directly";
  c.global_permissions_to_revoke.push_back({RowRef::of_id(3), "admin"});
  EXPECT_TRUE(leaves_no_administrator(s, c)) << "and loses it at once";
}

TEST(AdminGuard, TheLossOfAChangeSetIncludesRevokedDirectGrants) {
  ChangeSet c;
  c.global_permissions_to_revoke.push_back({RowRef::of_id(1), "admin"});
  c.global_permissions_to_revoke.push_back({RowRef::of_id(2), "scan"});
  c.global_permissions_to_revoke.push_back({RowRef::of_created(0), "admin"});
  EXPECT_EQ(admin_loss_of(c).direct_grants, std::set<UserId>{1});
}
}  // namespace plans

}  // namespace
}  // namespace provisio
