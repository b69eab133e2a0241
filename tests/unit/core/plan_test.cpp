// The plan, scenario by scenario (behaviour.md §3): each test plans a sync, applies it to an
// in-memory copy of the server's rows, changes GitLab, and plans again.
#include "core/plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "world_builder.hpp"

namespace provisio {
namespace {

constexpr gl::Id kAcme = 1, kWeb = 2, kApi = 3;
constexpr gl::Id kShop = 500;
constexpr Millis kNow = 1'800'000'000'000;

// Applies a change set to rows in memory, as Store::apply does in the database.
void apply(AuthorizationState& st, const ChangeSet& c) {
  std::vector<std::int64_t> created_groups, created_users;
  std::int64_t next_id = 1000;
  for (const auto& u : st.users) next_id = std::max(next_id, u.id + 1);
  for (const auto& g : st.groups) next_id = std::max(next_id, g.id + 1);
  const GroupId def = std::find_if(st.groups.begin(), st.groups.end(), [](const Group& g) {
                        return g.is_default;
                      })->id;
  const auto deleted = [&](GroupId id) {
    return std::find(c.groups_to_delete.begin(), c.groups_to_delete.end(), id) !=
           c.groups_to_delete.end();
  };
  st.memberships.erase_if([&](const Membership& m) { return deleted(m.group_id); });
  std::erase_if(st.groups, [&](const Group& g) { return deleted(g.id); });
  for (Group g : c.groups_to_create) {
    g.id = next_id++;
    created_groups.push_back(g.id);
    st.groups.push_back(g);
  }
  for (const Group& g : c.groups_to_update) {
    for (Group& cur : st.groups) {
      if (cur.id == g.id) cur = g;
    }
  }
  for (User u : c.users_to_create) {
    u.id = next_id++;
    created_users.push_back(u.id);
    st.users.push_back(u);
    if (u.active) st.memberships.insert({def, u.id});
  }
  for (const User& u : c.users_to_update) {
    for (User& cur : st.users) {
      if (cur.id == u.id) cur = u;
    }
  }
  const auto group_id = [&](const RowRef& r) {
    return r.is_created() ? created_groups.at(r.created_index()) : r.id();
  };
  const auto id = [&](const RowRef& r) {
    return r.is_created() ? created_users.at(r.created_index()) : r.id();
  };
  for (const auto& m : c.memberships_to_remove) {
    st.memberships.erase(Membership{group_id(m.group), id(m.user)});
  }
  for (const auto& m : c.memberships_to_add) {
    st.memberships.insert(Membership{group_id(m.group), id(m.user)});
  }
  for (const auto& p : c.permissions_to_revoke) {
    std::erase(st.permissions, PermissionGrant{p.project_id, id(p.user), std::nullopt,
                                               std::string(to_string(p.permission))});
  }
  for (const auto& p : c.permissions_to_grant) {
    st.permissions.push_back(PermissionGrant{p.project_id, id(p.user), std::nullopt,
                                             std::string(to_string(p.permission))});
  }
  for (const auto& v : c.visibilities) {
    for (Project& p : st.projects) {
      if (p.id == v.project_id) p.visibility = v.visibility;
    }
  }
}

AuthorizationState empty_server() {
  AuthorizationState st;
  st.groups.push_back({1, "u-default", "sonar-users", "", false, true, std::nullopt});
  User admin;
  admin.id = 2;
  admin.login = "admin";
  admin.local = true;
  st.users.push_back(admin);
  st.memberships.insert({1, 2});
  st.permissions.push_back({std::nullopt, 2, std::nullopt, "admin"});
  Project shop;
  shop.id = 10;
  shop.key = "shop";
  shop.visibility = Visibility::kPublic;
  shop.gitlab_project_id = kShop;
  st.projects.push_back(shop);
  Project local;
  local.id = 11;
  local.key = "local-app";
  st.projects.push_back(local);
  return st;
}

testing::WorldBuilder world() {
  testing::WorldBuilder w;
  w.group(kAcme, "acme").group(kWeb, "acme/web", kAcme).group(kApi, "acme/api", kAcme);
  w.project(kShop, kWeb, "shop", "private");
  w.member(kAcme, 1, 10).member(kWeb, 2, 40).member(kApi, 3, 30);
  return w;
}

class PlanTest : public ::testing::Test {
 protected:
  Plan sync(const Snapshot& s, GuardOptions guard = {}) {
    const std::set<gl::Id> bound = {kShop};
    const auto desired = desired_state(s, bound, default_role_mappings(), {});
    Plan p = make_plan(s, desired, server_, guard, kNow, random_);
    if (!p.held) apply(server_, p.changes);
    return p;
  }
  const User* user(gl::Id gitlab_id) {
    for (const User& u : server_.users) {
      if (u.external_id == std::to_string(gitlab_id)) return &u;
    }
    return nullptr;
  }
  const Group* group(const std::string& name) {
    for (const Group& g : server_.groups) {
      if (g.name == name) return &g;
    }
    return nullptr;
  }
  std::set<std::string> groups_of(gl::Id gitlab_user) {
    std::set<std::string> out;
    const User* u = user(gitlab_user);
    for (const Membership& m : server_.memberships) {
      if (m.user_id != u->id) continue;
      for (const Group& g : server_.groups) {
        if (g.id == m.group_id) out.insert(g.name);
      }
    }
    return out;
  }
  std::set<std::string> permissions_of(gl::Id gitlab_user, ProjectId project = 10) {
    std::set<std::string> out;
    const User* u = user(gitlab_user);
    for (const PermissionGrant& g : server_.permissions) {
      if (g.user_id == u->id && g.project_id == project) out.insert(g.permission);
    }
    return out;
  }

  AuthorizationState server_ = empty_server();
  SeededRandom random_{7};
};

TEST_F(PlanTest, TheFirstSyncCreatesUsersGroupsMembershipsPermissionsAndVisibility) {
  const Plan p = sync(world().snapshot());
  EXPECT_FALSE(p.held);
  EXPECT_EQ(p.counts.users_created, 3);
  EXPECT_EQ(p.counts.groups_created, 3);
  EXPECT_EQ(p.counts.memberships_added, 5);  // user 1 in all three, user 2 in web, user 3 in api
  EXPECT_EQ(p.counts.visibilities_changed, 1);
  EXPECT_EQ(p.counts.projects_synced, 1);
  // One audit row per change: AuditEntry rows, and for memberships and permissions a cause each
  // (apply writes their rows).
  const std::size_t memberships = p.changes.memberships_to_add.size();
  const std::size_t permissions = p.changes.permissions_to_grant.size();
  EXPECT_EQ(p.changes.audit.size(),
            p.changes.size() - p.changes.audit.size() - memberships - permissions);
  for (const MembershipChange& m : p.changes.memberships_to_add) {
    ASSERT_LT(m.cause, p.changes.causes.size());
    EXPECT_FALSE(p.changes.causes[m.cause].empty());
  }
  for (const UserPermissionChange& g : p.changes.permissions_to_grant) {
    ASSERT_LT(g.cause, p.changes.causes.size());
    EXPECT_EQ(p.changes.causes[g.cause].rfind("role ", 0), 0u) << p.changes.causes[g.cause];
  }
  EXPECT_EQ(p.changes.membership_audit.actor, "sync");
  ASSERT_NE(user(1), nullptr);
  EXPECT_TRUE(user(1)->managed);
  EXPECT_EQ(user(1)->external_login, "user1");
  EXPECT_EQ(user(1)->login.rfind("user-1-", 0), 0u);  // the name slugified plus a number
  EXPECT_EQ(groups_of(1), (std::set<std::string>{"sonar-users", "acme", "acme/web", "acme/api"}));
  EXPECT_EQ(groups_of(2), (std::set<std::string>{"sonar-users", "acme/web"}));
  EXPECT_EQ(permissions_of(1), (std::set<std::string>{"user"}));  // guest, inherited
  EXPECT_EQ(permissions_of(2), (std::set<std::string>{"user", "codeviewer", "issueadmin",
                                                      "securityhotspotadmin", "admin", "scan"}));
  EXPECT_TRUE(permissions_of(3).empty());  // not a member of the project's group
  EXPECT_EQ(server_.projects[0].visibility, Visibility::kPrivate);
  EXPECT_TRUE(group("acme/web")->managed);
}

TEST_F(PlanTest, ASyncWithNothingChangedPlansNothingButStillSaysWhatItCovers) {
  auto w = world();
  const Plan first = sync(w.snapshot());
  // Users 1-3; acme, acme/web and acme/api; shop, the one bound project in scope.
  EXPECT_EQ(first.counts.totals, (SyncTotals{3, 3, 1}));
  const Plan again = sync(w.snapshot());
  EXPECT_EQ(again.changes.size(), 0u);
  SyncCounts expected;
  expected.totals = SyncTotals{3, 3, 1};
  EXPECT_EQ(again.counts, expected);
}

TEST_F(PlanTest, TheTotalsCountOnlyWhatIsInScope) {
  Project elsewhere;  // bound to a GitLab project outside the allowed groups
  elsewhere.id = 12;
  elsewhere.key = "elsewhere";
  elsewhere.gitlab_project_id = 9999;
  server_.projects.push_back(elsewhere);
  auto w = world();
  w.member(kApi, 4, 30);
  EXPECT_EQ(sync(w.snapshot()).counts.totals, (SyncTotals{4, 3, 1}));
  // User 3 loses their only group: no longer provisioned, so no longer counted.
  std::erase_if(w.snapshot().group_members[kApi],
                [](const gl::Member& m) { return m.user_id == 3; });
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.counts.users_deactivated, 1);
  EXPECT_TRUE(p.held) << "1 of 4 managed users is more than the guard's 10%";
  EXPECT_EQ(p.counts.totals, (SyncTotals{3, 3, 1})) << "a held plan says what it covers too";
}

TEST_F(PlanTest, ARenamedGroupIsRenamedNotRecreated) {
  auto w = world();
  sync(w.snapshot());
  const GroupId id = group("acme/web")->id;
  w.snapshot().groups.at(kWeb).full_path = "acme/frontend";
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.counts.groups_renamed, 1);
  EXPECT_EQ(p.counts.groups_created, 0);
  EXPECT_EQ(p.counts.memberships_added + p.counts.memberships_removed, 0);
  EXPECT_EQ(group("acme/frontend")->id, id);
}

TEST_F(PlanTest, ADeletedSubgroupIsDeletedWithItsMemberships) {
  auto w = world();
  sync(w.snapshot());
  w.snapshot().groups.erase(kApi);
  w.snapshot().groups_in_scope.erase(kApi);
  w.snapshot().group_members.erase(kApi);
  GuardOptions lenient;
  lenient.max_deactivated_share = 1.0;
  const Plan p = sync(w.snapshot(), lenient);
  EXPECT_EQ(p.counts.groups_deleted, 1);
  EXPECT_EQ(group("acme/api"), nullptr);
  EXPECT_EQ(p.counts.users_deactivated, 1);  // user 3 was only there
  EXPECT_FALSE(user(3)->active);
}

TEST_F(PlanTest, AMovedProjectTakesThePermissionsOfItsNewGroup) {
  auto w = world();
  w.snapshot().group_members.at(kApi)[0].access_level = 40;  // a maintainer in acme/api
  sync(w.snapshot());
  auto& shop = w.snapshot().projects.at(kShop);
  shop.namespace_id = kApi;
  shop.path_with_namespace = "acme/api/shop";
  sync(w.snapshot());
  EXPECT_EQ(permissions_of(2), std::set<std::string>{});
  EXPECT_EQ(permissions_of(3).count("scan"), 1u);  // maintainer of acme/api
  EXPECT_EQ(permissions_of(3).count("admin"), 1u);
}

TEST_F(PlanTest, AUserLeavingEveryGroupIsDeactivatedAndLosesWhatTheSyncGave) {
  auto w = world();
  w.project_member(kShop, 3, 30);
  sync(w.snapshot());
  EXPECT_FALSE(permissions_of(3).empty());
  w.snapshot().group_members.at(kApi).clear();  // user 3 leaves GitLab's groups
  w.snapshot().project_members.at(kShop).clear();
  GuardOptions lenient;
  lenient.max_deactivated_share = 1.0;
  const Plan p = sync(w.snapshot(), lenient);
  EXPECT_EQ(p.counts.users_deactivated, 1);
  EXPECT_FALSE(user(3)->active);
  EXPECT_EQ(groups_of(3), std::set<std::string>{"sonar-users"});  // never removed from it
  EXPECT_TRUE(permissions_of(3).empty());
  EXPECT_EQ(p.changes.audit.front().cause.value_or("").empty(), false);
}

TEST_F(PlanTest, AReturningUserIsReactivatedNotDuplicated) {
  auto w = world();
  sync(w.snapshot());
  const UserId id = user(3)->id;
  auto members = w.snapshot().group_members.at(kApi);
  w.snapshot().group_members.at(kApi).clear();
  GuardOptions lenient;
  lenient.max_deactivated_share = 1.0;
  sync(w.snapshot(), lenient);
  // While away, an administrator took them out of sonar-users by hand.
  server_.memberships.erase(Membership{1, id});
  w.snapshot().group_members.at(kApi) = members;
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.counts.users_reactivated, 1);
  EXPECT_EQ(p.counts.users_created, 0);
  EXPECT_TRUE(user(3)->active);
  EXPECT_EQ(user(3)->id, id);
  EXPECT_EQ(groups_of(3), (std::set<std::string>{"sonar-users", "acme/api"}));
}

TEST_F(PlanTest, HandMadeMembershipsAndPermissionsOfManagedUsersAreReset) {
  auto w = world();
  sync(w.snapshot());
  server_.memberships.insert({group("acme/web")->id, user(3)->id});
  server_.permissions.push_back({10, user(3)->id, std::nullopt, "admin"});
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.counts.memberships_removed, 1);
  EXPECT_EQ(p.counts.permissions_revoked, 1);
  EXPECT_EQ(groups_of(3), (std::set<std::string>{"sonar-users", "acme/api"}));
  EXPECT_TRUE(permissions_of(3).empty());
}

TEST_F(PlanTest, LocalUsersGroupsGlobalPermissionsAndUnboundProjectsAreLeftAlone) {
  auto w = world();
  sync(w.snapshot());
  server_.groups.push_back({900, "u-local", "reviewers", "", false, false, std::nullopt});
  server_.memberships.insert({900, 2});                            // admin in a local group
  server_.memberships.insert({900, user(1)->id});                  // managed user in a local group
  server_.memberships.insert({group("acme/web")->id, 2});          // local admin in a managed group
  server_.permissions.push_back({10, 2, std::nullopt, "admin"});   // local admin on a bound project
  server_.permissions.push_back({10, std::nullopt, 900, "user"});  // a group on a bound project
  server_.permissions.push_back({11, user(1)->id, std::nullopt, "admin"});  // unbound project
  server_.permissions.push_back({std::nullopt, user(1)->id, std::nullopt, "scan"});  // global
  const auto before = server_;
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.changes.size(), 0u);
  EXPECT_EQ(server_.memberships.size(), before.memberships.size());
  EXPECT_EQ(server_.permissions.size(), before.permissions.size());
}

TEST_F(PlanTest, ALocalGroupWithAMirroredGroupsNameIsNotTouched) {
  server_.groups.push_back({900, "u-local", "acme/web", "", false, false, std::nullopt});
  const Plan p = sync(world().snapshot());
  EXPECT_EQ(p.counts.groups_created, 2);
  EXPECT_FALSE(group("acme/web")->managed);
  ASSERT_FALSE(p.warnings.empty());
  EXPECT_NE(p.warnings.back().find("acme/web"), std::string::npos);
}

TEST_F(PlanTest, TheGuardHoldsBackAMassDeactivation) {
  auto w = world();
  sync(w.snapshot());
  w.snapshot().group_members.at(kApi).clear();  // 1 of 3 managed users: 33% > 10%
  const Plan p = sync(w.snapshot());
  ASSERT_TRUE(p.held);
  EXPECT_NE(p.held->find("deactivate 1 of 3"), std::string::npos);
  EXPECT_TRUE(user(3)->active);  // not applied

  GuardOptions by_count;
  by_count.max_deactivated_share = 1.0;
  by_count.max_deactivated = 0;
  EXPECT_TRUE(sync(w.snapshot(), by_count).held);
}

TEST_F(PlanTest, TheGuardHoldsBackAPlanLeavingABoundProjectWithoutAdministrator) {
  auto w = world();
  sync(w.snapshot());
  w.snapshot().group_members.at(kWeb)[0].access_level = 30;  // the only admin becomes developer
  const Plan p = sync(w.snapshot());
  ASSERT_TRUE(p.held);
  EXPECT_NE(p.held->find("shop"), std::string::npos);
}

TEST(Slugify, MakesLoginsFromNames) {
  EXPECT_EQ(slugify("Jane Doe"), "jane-doe");
  EXPECT_EQ(slugify("  Ünïcode -- Name!! "), "n-code-name");
  EXPECT_EQ(slugify("***"), "user");
}

}  // namespace
}  // namespace provisio
