#include "database_dump.hpp"
#include "store/uuid.hpp"
#include "store_fixture.hpp"

namespace provisio::store {
namespace {

User gitlab_user(int n) {
  User u;
  u.uuid = new_uuid();
  u.login = "gl-user-" + std::to_string(n);
  u.name = "GitLab User " + std::to_string(n);
  u.email = "u" + std::to_string(n) + "@example.com";
  u.managed = true;
  u.external_provider = ExternalProvider::kGitlab;
  u.external_id = std::to_string(n);
  u.external_login = "user" + std::to_string(n);
  return u;
}

Group gitlab_group(const std::string& path, int id) {
  Group g;
  g.uuid = new_uuid();
  g.name = path;
  g.managed = true;
  g.external_id = std::to_string(id);
  return g;
}

struct Counts {
  long long users = 0, groups = 0, members = 0, permissions = 0, audit = 0;
};

}  // namespace

class ApplyTest : public StoreTest {
 protected:
  Counts counts() {
    Counts c;
    auto s = raw_session();
    *s << "SELECT COUNT(*) FROM users", soci::into(c.users);
    *s << "SELECT COUNT(*) FROM user_groups", soci::into(c.groups);
    *s << "SELECT COUNT(*) FROM group_members", soci::into(c.members);
    *s << "SELECT COUNT(*) FROM permissions", soci::into(c.permissions);
    *s << "SELECT COUNT(*) FROM audit_log", soci::into(c.audit);
    return c;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ApplyTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

TEST_P(ApplyTest, AppliesAChangeSetReferencingRowsItCreates) {
  Project p;
  p.key = "app";
  p.name = "App";
  p.gitlab_project_id = 10;
  auto project = store_->create_project(p);
  ChangeSet c;
  for (int i = 0; i < 1200; ++i) c.users_to_create.push_back(gitlab_user(i));
  c.users_to_create[5].active = false;
  c.groups_to_create.push_back(gitlab_group("root", 1));
  c.groups_to_create.push_back(gitlab_group("root/sub", 2));
  for (int i = 0; i < 1200; ++i) {
    c.memberships_to_add.push_back({RowRef::of_created(static_cast<std::size_t>(i % 2)),
                                    RowRef::of_created(static_cast<std::size_t>(i)),
                                    static_cast<std::uint32_t>(i % 2)});
    c.permissions_to_grant.push_back({project->id, RowRef::of_created(static_cast<std::size_t>(i)),
                                      ProjectPermission::kUser, static_cast<std::uint32_t>(i % 3)});
  }
  c.visibilities.push_back({project->id, Visibility::kPrivate});
  c.causes = {"", "inherited from root", "role guest on GitLab project: inherited from root"};
  c.membership_audit.actor = "sync";
  AuditEntry a;
  a.actor = "sync";
  a.action = "user.create";
  a.entity_type = "user";
  a.entity = "gl-user-0";
  a.cause = "direct member of root";
  c.audit.push_back(a);

  auto result = store_->apply(c);
  ASSERT_TRUE(result) << result.error().message;
  const Counts after = counts();
  EXPECT_EQ(after.users, 1200);
  EXPECT_EQ(after.groups, 3);
  EXPECT_EQ(after.members, 1200 + 1199);  // + sonar-users for every active new user
  EXPECT_EQ(after.permissions, 1200);
  EXPECT_EQ(after.audit, 1 + 1200 + 1200);  // the entry, one row per membership and permission
  EXPECT_EQ(store_->find_project_by_key("app")->visibility, Visibility::kPrivate);
  auto audit = store_->list_audit(AuditQuery{"membership", "root/sub/gl-user-1"});
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->items.size(), 1u);
  EXPECT_EQ(audit->items[0].action, "membership.add");
  EXPECT_EQ(audit->items[0].actor, "sync");
  EXPECT_EQ(audit->items[0].after, "member");
  EXPECT_EQ(audit->items[0].cause, "inherited from root");
  audit = store_->list_audit(AuditQuery{"membership", "root/gl-user-0"});
  ASSERT_EQ(audit->items.size(), 1u);
  EXPECT_EQ(audit->items[0].cause, std::nullopt);  // cause 0 is ""
  audit = store_->list_audit(AuditQuery{"permission", "app/gl-user-2/user"});
  ASSERT_EQ(audit->items.size(), 1u);
  EXPECT_EQ(audit->items[0].action, "permission.grant");
  EXPECT_EQ(audit->items[0].before, std::nullopt);
  EXPECT_EQ(audit->items[0].after, "user");
  EXPECT_EQ(audit->items[0].cause, "role guest on GitLab project: inherited from root");
  EXPECT_EQ(result->rows_written, 2 + 1200 + 1199 + 1200 + 1200 + 1 + 1);

  // Second change set: update, remove, revoke, delete a group.
  auto state = store_->load_state();
  ChangeSet d;
  User u0 = *store_->find_user_by_login("gl-user-0");
  u0.name = "Renamed";
  u0.active = false;
  d.users_to_update.push_back(u0);
  Group sub = *store_->find_group_by_name("root/sub");
  Group root = *store_->find_group_by_name("root");
  root.name = "root-renamed";
  d.groups_to_update.push_back(root);
  d.groups_to_delete.push_back(sub.id);
  d.memberships_to_remove.push_back({RowRef::of_id(root.id), RowRef::of_id(u0.id)});
  d.permissions_to_revoke.push_back({project->id, RowRef::of_id(u0.id), ProjectPermission::kUser});
  ASSERT_TRUE(store_->apply(d));
  EXPECT_EQ(store_->get_user(u0.id)->name, "Renamed");
  EXPECT_FALSE(store_->get_user(u0.id)->active);
  EXPECT_TRUE(store_->find_group_by_name("root-renamed"));
  EXPECT_FALSE(store_->find_group_by_name("root/sub"));
  const Counts last = counts();
  EXPECT_EQ(last.groups, 2);
  // root/sub's 600 deleted with it, u0 out of root, and out of sonar-users: deactivated.
  EXPECT_EQ(last.members, 1200 + 1199 - 600 - 1 - 1);
  EXPECT_EQ(last.permissions, 1199);
  audit = store_->list_audit(AuditQuery{"permission", "app/gl-user-0/user"});
  ASSERT_EQ(audit->items.size(), 2u);  // granted, then revoked
  EXPECT_EQ(audit->items[0].action == "permission.revoke" ? audit->items[0].before
                                                          : audit->items[1].before,
            "user");
}

TEST_P(ApplyTest, AChangeSetFailingHalfwayLeavesNoRowsBehind) {
  ASSERT_TRUE(store_->create_user(gitlab_user(600), std::nullopt));  // login taken
  const testing::DatabaseDump before = testing::dump_database(url_);
  ChangeSet c;
  c.groups_to_create.push_back(gitlab_group("root", 1));
  for (int i = 0; i < 1000; ++i) {
    User u = gitlab_user(i);
    if (i == 600) u.external_id = "other";  // only the login collides
    c.users_to_create.push_back(u);
    c.memberships_to_add.push_back(
        {RowRef::of_created(0), RowRef::of_created(static_cast<std::size_t>(i))});
  }
  AuditEntry a;
  a.actor = "sync";
  a.action = "user.create";
  a.entity_type = "user";
  a.entity = "x";
  c.audit.push_back(a);
  auto result = store_->apply(c);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");
}

TEST_P(ApplyTest, AReferenceToAnUnknownRowIsRefusedWithNothingWritten) {
  const testing::DatabaseDump before = testing::dump_database(url_);
  ChangeSet c;
  c.users_to_create.push_back(gitlab_user(1));
  c.memberships_to_add.push_back(
      {RowRef::of_created(5), RowRef::of_created(0)});  // no fifth group is created
  auto result = store_->apply(c);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");
}

TEST_P(ApplyTest, AnEmptyChangeSetWritesNothing) {
  ASSERT_TRUE(store_->create_user(gitlab_user(1), std::nullopt));
  const testing::DatabaseDump before = testing::dump_database(url_);
  auto result = store_->apply(ChangeSet{});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->rows_written, 0);
  EXPECT_EQ(testing::describe_difference(before, testing::dump_database(url_)), "");
}

}  // namespace provisio::store

namespace provisio::store {

TEST_P(ApplyTest, GroupsMaySwapNamesAndADeletedGroupFreesItsName) {
  ChangeSet c;
  c.groups_to_create = {gitlab_group("a", 1), gitlab_group("b", 2), gitlab_group("c", 3)};
  ASSERT_TRUE(store_->apply(c));
  Group a = *store_->find_group_by_name("a");
  Group b = *store_->find_group_by_name("b");
  const Group old_c = *store_->find_group_by_name("c");
  ChangeSet swap;
  a.name = "b";
  b.name = "a";
  swap.groups_to_update = {a, b};
  swap.groups_to_delete = {old_c.id};
  swap.groups_to_create = {gitlab_group("c", 4)};
  auto r = store_->apply(swap);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(store_->find_group_by_name("a")->id, b.id);
  EXPECT_EQ(store_->find_group_by_name("b")->id, a.id);
  EXPECT_NE(store_->find_group_by_name("c")->id, old_c.id);
}

TEST_P(ApplyTest, AHeldPlanIsKeptWholeUntilDeleted) {
  auto task = store_->enqueue_task(Task{}, false);
  ChangeSet c;
  c.users_to_create.push_back(gitlab_user(1));
  c.groups_to_create.push_back(gitlab_group("root", 1));
  c.memberships_to_add.push_back({RowRef::of_created(0), RowRef::of_created(0), 1});
  c.causes = {"", "direct member of root"};
  c.membership_audit.task_id = task->id;
  c.permissions_to_revoke.push_back({7, RowRef::of_id(3), ProjectPermission::kAdmin});
  c.visibilities.push_back({7, Visibility::kPublic});
  AuditEntry a;
  a.actor = "sync";
  a.action = "user.create";
  a.entity_type = "user";
  a.entity = "gl-user-1";
  a.cause = "direct member of root (Developer)";
  c.audit.push_back(a);
  ASSERT_TRUE(store_->save_held_plan(task->id, c));
  auto back = store_->load_held_plan(task->id);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->users_to_create.at(0).login, "gl-user-1");
  EXPECT_EQ(back->users_to_create.at(0).external_id, "1");
  EXPECT_EQ(back->memberships_to_add.at(0).user, RowRef::of_created(0));
  EXPECT_EQ(back->memberships_to_add.at(0).cause, 1u);
  EXPECT_EQ(back->causes, c.causes);
  EXPECT_EQ(back->membership_audit.task_id, task->id);
  EXPECT_EQ(back->permissions_to_revoke.at(0).permission, ProjectPermission::kAdmin);
  EXPECT_EQ(back->visibilities.at(0).visibility, Visibility::kPublic);
  EXPECT_EQ(back->audit.at(0).cause, a.cause);
  ASSERT_TRUE(store_->delete_held_plan(task->id));
  EXPECT_EQ(store_->load_held_plan(task->id).error().code, ErrorCode::kNotFound);
}

}  // namespace provisio::store

namespace provisio::store {

// load_state reads memberships in keyset pages of 100,000 (libpq would otherwise hold the whole
// result at once): more than two pages must come back whole, in order, each exactly once.
TEST_P(ApplyTest, TheWholeStateIsReadAcrossMembershipPages) {
  constexpr long long kUsers = 70001;  // x 4 groups: 280,004 memberships, a partial third page
  {
    auto s = raw_session();
    *s << "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :k) "
          "INSERT INTO users (uuid, login, name, active, is_local, managed, external_provider, "
          "created_at, updated_at) SELECT 'uuid-' || i, 'login-' || i, 'name', 1, 1, 0, "
          "'sonarqube', "
          "0, 0 FROM n",
        soci::use(kUsers);
    *s << "INSERT INTO user_groups (uuid, name, description, managed, is_default) VALUES "
          "('g1', 'one', '', 0, 0), ('g2', 'two', '', 0, 0), ('g3', 'three', '', 0, 0)";
    *s << "INSERT INTO group_members (group_id, user_id) SELECT g.id, u.id FROM user_groups g, "
          "users u";
  }
  const Counts stored = counts();  // with the default group: 4 groups
  const long long expected = stored.members;
  ASSERT_EQ(expected, stored.groups * stored.users);
  ASSERT_GT(expected, 2 * 100000);

  auto state = store_->load_state();
  ASSERT_TRUE(state) << state.error().message;
  ASSERT_EQ(static_cast<long long>(state->memberships.size()), expected);
  for (const Group& g : state->groups) {  // every group holds every user, each once
    EXPECT_EQ(static_cast<long long>(state->memberships.of(g.id).size()), stored.users) << g.name;
  }
}

}  // namespace provisio::store
