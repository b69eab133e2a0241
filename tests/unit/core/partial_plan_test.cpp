// What a partial sync may change: only the groups and projects it read whole, and only the
// deactivations GitLab itself justifies.
#include "core/partial_plan.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

DesiredState three_users_two_groups() {
  DesiredState d;
  d.users = {{101, "ann", "Ann", std::nullopt, {}},
             {102, "bob", "Bob", std::nullopt, {}},
             {103, "cy", "Cy", std::nullopt, {}}};
  d.membership_causes = {Cause{}};
  d.groups = {{1, "acme", {{0, 0}, {1, 0}}}, {2, "acme/web", {{1, 0}, {2, 0}}}};
  d.permissions = {{10, 102, {}, "developer", {}}, {20, 103, {}, "developer", {}}};
  d.visibilities = {{10, Visibility::kPublic}, {20, Visibility::kPrivate}};
  d.projects_in_scope = {10, 20};
  return d;
}

TEST(PartialPlan, TheDesiredStateKeepsTheGroupsAndProjectsReadAndTheUsersTheyHold) {
  const DesiredState d = restrict_desired(three_users_two_groups(), {2}, {10});
  ASSERT_EQ(d.groups.size(), 1u);
  EXPECT_EQ(d.groups[0].gitlab_id, 2);
  ASSERT_EQ(d.users.size(), 2u);  // bob (acme/web, project 10) and cy (acme/web)
  EXPECT_EQ(d.users[0].gitlab_id, 102);
  EXPECT_EQ(d.users[1].gitlab_id, 103);
  // Members still name the right users after the renumbering.
  ASSERT_EQ(d.groups[0].members.size(), 2u);
  EXPECT_EQ(d.users[d.groups[0].members[0].user].gitlab_id, 102);
  EXPECT_EQ(d.users[d.groups[0].members[1].user].gitlab_id, 103);
  ASSERT_EQ(d.permissions.size(), 1u);
  EXPECT_EQ(d.permissions[0].project, 10);
  EXPECT_EQ(d.visibilities.size(), 1u);
  EXPECT_EQ(d.projects_in_scope, std::set<gl::Id>{10});
}

User managed(UserId id, gl::Id gitlab_id, bool active) {
  User u;
  u.id = id;
  u.login = "u" + std::to_string(gitlab_id);
  u.active = active;
  u.managed = true;
  u.external_provider = ExternalProvider::kGitlab;
  u.external_id = std::to_string(gitlab_id);
  return u;
}

AuditEntry row(std::string action, std::string entity) {
  AuditEntry a;
  a.action = std::move(action);
  a.entity = std::move(entity);
  return a;
}

TEST(PartialPlan, OnlyUsersGitlabSaysAreGoneAreDeactivatedAndNoGroupIsDeleted) {
  Plan p;
  p.changes.users_to_update = {managed(1, 5, false), managed(2, 6, false), managed(3, 7, true)};
  p.changes.groups_to_delete = {40};
  p.changes.audit = {row("user.deactivate", "u5"), row("user.deactivate", "u6"),
                     row("user.update", "u7"), row("group.delete", "acme/old")};
  p.counts.users_deactivated = 2;
  p.counts.users_updated = 1;
  p.counts.groups_deleted = 1;
  keep_partial_changes(p, {6});
  ASSERT_EQ(p.changes.users_to_update.size(), 2u);
  EXPECT_EQ(p.changes.users_to_update[0].login, "u6");
  EXPECT_EQ(p.changes.users_to_update[1].login, "u7");
  EXPECT_TRUE(p.changes.groups_to_delete.empty());
  ASSERT_EQ(p.changes.audit.size(), 2u);
  EXPECT_EQ(p.changes.audit[0].entity, "u6");
  EXPECT_EQ(p.changes.audit[1].action, "user.update");
  EXPECT_EQ(p.counts.users_deactivated, 1);
  EXPECT_EQ(p.counts.users_updated, 1);
  EXPECT_EQ(p.counts.groups_deleted, 0);
}

}  // namespace
}  // namespace provisio
