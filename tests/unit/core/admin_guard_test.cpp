// Never without an administrator (behaviour.md §5), as a pure rule over a state and the changes
// about to be applied to it.
#include "core/admin_guard.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

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

}  // namespace
}  // namespace provisio
