// The planner against a real store, scenario by scenario (behaviour.md §3): each test plans a sync
// from the rows the store holds, applies the plan with Store::apply (SQLite and PostgreSQL),
// changes GitLab (a snapshot written by hand, world_builder.hpp), and plans again from what the
// store then holds. What the server holds is read back through the Store, never from the plan.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/desired_state.hpp"
#include "core/plan.hpp"
#include "core/random.hpp"
#include "database_dump.hpp"
#include "store_fixture.hpp"
#include "world_builder.hpp"

namespace provisio::store {
namespace {

constexpr gl::Id kAcme = 1, kWeb = 2, kApi = 3;
constexpr gl::Id kShop = 500;
constexpr Millis kNow = 1'800'000'000'000;

testing::WorldBuilder world() {
  testing::WorldBuilder w;
  w.group(kAcme, "acme").group(kWeb, "acme/web", kAcme).group(kApi, "acme/api", kAcme);
  w.project(kShop, kWeb, "shop", "private");
  w.member(kAcme, 1, 10).member(kWeb, 2, 40).member(kApi, 3, 30);
  return w;
}

GuardOptions lenient() {
  GuardOptions g;
  g.max_deactivated_share = 1.0;
  return g;
}

}  // namespace

class PlanScenarioTest : public StoreTest {
 protected:
  // The server before any sync: the local administrator (global Administer), the project "shop"
  // bound to GitLab's kShop (public until GitLab says otherwise) and the unbound "local-app".
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto admin = store_->create_user(make_user("admin"), std::nullopt);
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = admin->id;
    ASSERT_TRUE(store_->grant({std::nullopt, admin_, std::nullopt, "admin"}));
    Project shop;
    shop.key = "shop";
    shop.name = "Shop";
    shop.visibility = Visibility::kPublic;
    shop.gitlab_project_id = kShop;
    auto created = store_->create_project(shop);
    ASSERT_TRUE(created) << created.error().message;
    shop_ = created->id;
    Project local;
    local.key = "local-app";
    local.name = "Local app";
    auto other = store_->create_project(local);
    ASSERT_TRUE(other) << other.error().message;
    local_app_ = other->id;
  }

  // Plans a sync of `s` from what the store holds and, unless the guard holds it back, applies
  // it through the store.
  Plan sync(const Snapshot& s, GuardOptions guard = {}) {
    auto current = store_->load_state();
    EXPECT_TRUE(current) << current.error().message;
    if (!current) return {};
    const std::set<gl::Id> bound = {kShop};
    const auto desired = desired_state(s, bound, default_role_mappings(), {});
    Plan p = make_plan(s, desired, *current, guard, kNow, random_);
    if (!p.held) {
      auto applied = store_->apply(p.changes);
      EXPECT_TRUE(applied) << applied.error().message;
    }
    return p;
  }

  std::optional<User> user(gl::Id gitlab_id) {
    auto u = store_->find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(gitlab_id));
    return u ? std::optional<User>(*u) : std::nullopt;
  }
  std::optional<Group> group(const std::string& name) {
    auto g = store_->find_group_by_name(name);
    return g ? std::optional<Group>(*g) : std::nullopt;
  }
  GroupId default_group() { return group("sonar-users").value().id; }

  std::set<std::string> groups_of(gl::Id gitlab_user) {
    auto names = store_->user_group_names(user(gitlab_user).value().id);
    EXPECT_TRUE(names);
    return {names->begin(), names->end()};
  }
  std::set<std::string> permissions_of(gl::Id gitlab_user, std::optional<ProjectId> project) {
    std::set<std::string> out;
    auto grants = store_->user_grants(user(gitlab_user).value().id);
    EXPECT_TRUE(grants);
    for (const PermissionGrant& g : *grants) {
      if (g.project_id == project) out.insert(g.permission);
    }
    return out;
  }
  std::set<std::string> permissions_of(gl::Id gitlab_user) {
    return permissions_of(gitlab_user, shop_);
  }

  UserId admin_ = 0;
  ProjectId shop_ = 0;
  ProjectId local_app_ = 0;
  SeededRandom random_{7};
};

INSTANTIATE_TEST_SUITE_P(Backends, PlanScenarioTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

TEST_P(PlanScenarioTest, TheFirstSyncCreatesUsersGroupsMembershipsPermissionsAndVisibility) {
  const Plan p = sync(world().snapshot());
  EXPECT_FALSE(p.held);
  EXPECT_EQ(p.counts.users_created, 3);
  EXPECT_EQ(p.counts.groups_created, 3);
  EXPECT_EQ(p.counts.memberships_added, 5);  // user 1 in all three, user 2 in web, user 3 in api
  EXPECT_EQ(p.counts.visibilities_changed, 1);
  EXPECT_EQ(p.counts.projects_synced, 1);
  // One audit row per change, with its cause: the store wrote them.
  const std::size_t memberships = p.changes.memberships_to_add.size();
  const std::size_t permissions = p.changes.permissions_to_grant.size();
  EXPECT_EQ(static_cast<std::size_t>(store_->list_audit({.page_size = 1})->total),
            p.changes.audit.size() + memberships + permissions);
  auto membership_rows = store_->list_audit({.entity_type = "membership", .page_size = 100});
  ASSERT_EQ(membership_rows->items.size(), memberships);
  for (const AuditEntry& a : membership_rows->items) {
    EXPECT_EQ(a.actor, "sync");
    EXPECT_FALSE(a.cause.value_or("").empty()) << a.entity;
  }
  auto permission_rows = store_->list_audit({.entity_type = "permission", .page_size = 100});
  ASSERT_EQ(permission_rows->items.size(), permissions);
  for (const AuditEntry& a : permission_rows->items) {
    EXPECT_EQ(a.cause.value_or("").rfind("role ", 0), 0u) << a.cause.value_or("");
  }
  ASSERT_TRUE(user(1));
  EXPECT_TRUE(user(1)->managed);
  EXPECT_TRUE(user(1)->active);
  EXPECT_EQ(user(1)->external_login, "user1");
  EXPECT_EQ(user(1)->login.rfind("user-1-", 0), 0u);  // the name slugified plus a number
  EXPECT_EQ(groups_of(1), (std::set<std::string>{"sonar-users", "acme", "acme/web", "acme/api"}));
  EXPECT_EQ(groups_of(2), (std::set<std::string>{"sonar-users", "acme/web"}));
  EXPECT_EQ(permissions_of(1), (std::set<std::string>{"user"}));  // guest, inherited
  EXPECT_EQ(permissions_of(2), (std::set<std::string>{"user", "codeviewer", "issueadmin",
                                                      "securityhotspotadmin", "admin", "scan"}));
  EXPECT_TRUE(permissions_of(3).empty());  // not a member of the project's group
  EXPECT_EQ(store_->find_project_by_key("shop")->visibility, Visibility::kPrivate);
  EXPECT_TRUE(group("acme/web")->managed);
  EXPECT_EQ(group("acme/web")->external_id, std::to_string(kWeb));
}

TEST_P(PlanScenarioTest, ASyncWithNothingChangedPlansNothingButStillSaysWhatItCovers) {
  auto w = world();
  const Plan first = sync(w.snapshot());
  // Users 1-3; acme, acme/web and acme/api; shop, the one bound project in scope.
  EXPECT_EQ(first.counts.totals, (SyncTotals{3, 3, 1}));
  const testing::DatabaseDump before = testing::dump_database(url_);
  const Plan again = sync(w.snapshot());
  EXPECT_EQ(again.changes.size(), 0u);
  SyncCounts expected;
  expected.totals = SyncTotals{3, 3, 1};
  EXPECT_EQ(again.counts, expected);
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");
}

TEST_P(PlanScenarioTest, TheTotalsCountOnlyWhatIsInScope) {
  Project elsewhere;  // bound to a GitLab project outside the allowed groups
  elsewhere.key = "elsewhere";
  elsewhere.name = "Elsewhere";
  elsewhere.gitlab_project_id = 9999;
  ASSERT_TRUE(store_->create_project(elsewhere));
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

TEST_P(PlanScenarioTest, ARenamedGroupIsRenamedNotRecreated) {
  auto w = world();
  sync(w.snapshot());
  const GroupId id = group("acme/web")->id;
  const std::set<std::string> members_before = groups_of(2);
  w.snapshot().groups.at(kWeb).full_path = "acme/frontend";
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.counts.groups_renamed, 1);
  EXPECT_EQ(p.counts.groups_created, 0);
  EXPECT_EQ(p.counts.memberships_added + p.counts.memberships_removed, 0);
  ASSERT_TRUE(group("acme/frontend"));
  EXPECT_EQ(group("acme/frontend")->id, id);
  EXPECT_FALSE(group("acme/web"));
  EXPECT_EQ(groups_of(2), (std::set<std::string>{"sonar-users", "acme/frontend"}));
  EXPECT_NE(groups_of(2), members_before);
}

TEST_P(PlanScenarioTest, ADeletedSubgroupIsDeletedWithItsMemberships) {
  auto w = world();
  sync(w.snapshot());
  w.snapshot().groups.erase(kApi);
  w.snapshot().groups_in_scope.erase(kApi);
  w.snapshot().group_members.erase(kApi);
  const Plan p = sync(w.snapshot(), lenient());
  EXPECT_EQ(p.counts.groups_deleted, 1);
  EXPECT_FALSE(group("acme/api"));
  EXPECT_EQ(groups_of(1), (std::set<std::string>{"sonar-users", "acme", "acme/web"}));
  EXPECT_EQ(p.counts.users_deactivated, 1);  // user 3 was only there
  EXPECT_FALSE(user(3)->active);
}

TEST_P(PlanScenarioTest, AMovedProjectTakesThePermissionsOfItsNewGroup) {
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

TEST_P(PlanScenarioTest, AUserLeavingEveryGroupIsDeactivatedAndHoldsNothing) {
  auto w = world();
  w.project_member(kShop, 3, 30);
  sync(w.snapshot());
  EXPECT_FALSE(permissions_of(3).empty());
  ASSERT_TRUE(store_->grant({std::nullopt, user(3)->id, std::nullopt, "scan"}));      // global
  ASSERT_TRUE(store_->grant({local_app_, user(3)->id, std::nullopt, "issueadmin"}));  // unbound
  w.snapshot().group_members.at(kApi).clear();  // user 3 leaves GitLab's groups
  w.snapshot().project_members.at(kShop).clear();
  const Plan p = sync(w.snapshot(), lenient());
  EXPECT_EQ(p.counts.users_deactivated, 1);
  EXPECT_FALSE(user(3)->active);
  EXPECT_EQ(groups_of(3), std::set<std::string>{}) << "not even sonar-users";
  EXPECT_FALSE(p.changes.audit.front().cause.value_or("").empty());
  // The plan itself lists every removal (the dry run shows them), global and unbound included.
  EXPECT_EQ(p.changes.global_permissions_to_revoke.size(), 1U);
  EXPECT_EQ(p.counts.memberships_removed, 2) << "acme/api and sonar-users";
  EXPECT_EQ(p.counts.permissions_revoked, 5 + 1 + 1)
      << "a developer's five on the bound project, the unbound one, the global one";
  auto grants = store_->user_grants(user(3)->id);
  ASSERT_TRUE(grants);
  EXPECT_TRUE(grants->empty());
}

TEST_P(PlanScenarioTest, AReturningUserIsReactivatedNotDuplicated) {
  auto w = world();
  sync(w.snapshot());
  const UserId id = user(3)->id;
  auto members = w.snapshot().group_members.at(kApi);
  w.snapshot().group_members.at(kApi).clear();
  sync(w.snapshot(), lenient());
  EXPECT_EQ(groups_of(3), std::set<std::string>{}) << "deactivated: not even sonar-users";
  w.snapshot().group_members.at(kApi) = members;
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.counts.users_reactivated, 1);
  EXPECT_EQ(p.counts.users_created, 0);
  EXPECT_TRUE(user(3)->active);
  EXPECT_EQ(user(3)->id, id);
  EXPECT_EQ(store_->list_users({.managed = true})->total, 3);
  EXPECT_EQ(groups_of(3), (std::set<std::string>{"sonar-users", "acme/api"}));
}

TEST_P(PlanScenarioTest, HandMadeMembershipsAndPermissionsOfManagedUsersAreReset) {
  auto w = world();
  sync(w.snapshot());
  ASSERT_TRUE(store_->add_membership(group("acme/web")->id, user(3)->id));
  ASSERT_TRUE(store_->grant({shop_, user(3)->id, std::nullopt, "admin"}));
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.counts.memberships_removed, 1);
  EXPECT_EQ(p.counts.permissions_revoked, 1);
  EXPECT_EQ(groups_of(3), (std::set<std::string>{"sonar-users", "acme/api"}));
  EXPECT_TRUE(permissions_of(3).empty());
}

TEST_P(PlanScenarioTest, LocalUsersGroupsGlobalPermissionsAndUnboundProjectsAreLeftAlone) {
  auto w = world();
  sync(w.snapshot());
  Group local;
  local.name = "reviewers";
  auto reviewers = store_->create_group(local);
  ASSERT_TRUE(reviewers);
  const UserId managed = user(1)->id;
  ASSERT_TRUE(store_->add_membership(reviewers->id, admin_));          // admin in a local group
  ASSERT_TRUE(store_->add_membership(group("acme/web")->id, admin_));  // local in a managed one
  ASSERT_TRUE(store_->grant({shop_, admin_, std::nullopt, "admin"}));  // local on a bound project
  ASSERT_TRUE(store_->grant({shop_, std::nullopt, reviewers->id, "user"}));   // a group on it
  ASSERT_TRUE(store_->grant({local_app_, managed, std::nullopt, "admin"}));   // unbound project
  ASSERT_TRUE(store_->grant({std::nullopt, managed, std::nullopt, "scan"}));  // global
  const auto before = store_->load_state();
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.changes.size(), 0u);
  const auto after = store_->load_state();
  EXPECT_EQ(after->memberships.size(), before->memberships.size());
  EXPECT_EQ(after->permissions, before->permissions);
}

TEST_P(PlanScenarioTest, AProvisionedUserLeavesLocalGroupsButLocalUsersStay) {
  auto w = world();
  sync(w.snapshot());
  Group local;
  local.name = "reviewers";
  auto reviewers = store_->create_group(local);
  ASSERT_TRUE(reviewers);
  ASSERT_TRUE(store_->add_membership(reviewers->id, admin_));
  ASSERT_TRUE(store_->add_membership(reviewers->id, user(1)->id));
  const Plan p = sync(w.snapshot());
  EXPECT_EQ(p.counts.memberships_removed, 1);
  EXPECT_EQ(groups_of(1).count("reviewers"), 0U);
  auto admins_groups = store_->user_group_names(admin_);
  ASSERT_TRUE(admins_groups);
  EXPECT_NE(std::find(admins_groups->begin(), admins_groups->end(), "reviewers"),
            admins_groups->end());
}

TEST_P(PlanScenarioTest, ALocalGroupWithAMirroredGroupsNameIsAdopted) {
  Group local;
  local.name = "acme/web";
  local.description = "by hand";
  auto made = store_->create_group(local);
  ASSERT_TRUE(made);
  ASSERT_TRUE(store_->grant({std::nullopt, std::nullopt, made->id, "gateadmin"}));
  const Plan p = sync(world().snapshot());
  EXPECT_EQ(p.counts.groups_created, 2);
  EXPECT_EQ(p.counts.groups_adopted, 1);
  const auto adopted = group("acme/web");
  ASSERT_TRUE(adopted);
  EXPECT_EQ(adopted->id, made->id);
  EXPECT_EQ(adopted->uuid, made->uuid);
  EXPECT_TRUE(adopted->managed);
  EXPECT_EQ(adopted->external_id, std::to_string(kWeb));
  EXPECT_EQ(groups_of(2), (std::set<std::string>{"sonar-users", "acme/web"}));
  for (const std::string& w : p.warnings) EXPECT_EQ(w.find("local group"), std::string::npos) << w;
  const auto adoption = std::find_if(p.changes.audit.begin(), p.changes.audit.end(),
                                     [](const AuditEntry& a) { return a.action == "group.adopt"; });
  ASSERT_NE(adoption, p.changes.audit.end());
  EXPECT_EQ(adoption->entity, "acme/web");
}

TEST_P(PlanScenarioTest, TheGuardHoldsBackAMassDeactivation) {
  auto w = world();
  sync(w.snapshot());
  w.snapshot().group_members.at(kApi).clear();  // 1 of 3 managed users: 33% > 10%
  const testing::DatabaseDump before = testing::dump_database(url_);
  const Plan p = sync(w.snapshot());
  ASSERT_TRUE(p.held);
  EXPECT_NE(p.held->find("deactivate 1 of 3"), std::string::npos) << *p.held;
  EXPECT_TRUE(user(3)->active);  // not applied
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");

  GuardOptions by_count = lenient();
  by_count.max_deactivated = 0;
  EXPECT_TRUE(sync(w.snapshot(), by_count).held);
}

TEST_P(PlanScenarioTest, TheGuardHoldsBackAPlanLeavingABoundProjectWithoutAdministrator) {
  auto w = world();
  sync(w.snapshot());
  w.snapshot().group_members.at(kWeb)[0].access_level = 30;  // the only admin becomes developer
  const Plan p = sync(w.snapshot());
  ASSERT_TRUE(p.held);
  EXPECT_NE(p.held->find("shop"), std::string::npos);
  EXPECT_EQ(permissions_of(2).count("admin"), 1u);  // not applied
}

}  // namespace provisio::store
