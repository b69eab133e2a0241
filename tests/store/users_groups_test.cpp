#include "store_fixture.hpp"

namespace provisio::store {

TEST_P(StoreTest, CreatesAUserInTheDefaultGroupAndFindsIt) {
  auto u = store_->create_user(make_user("alice"), std::string("hash"));
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_GT(u->id, 0);
  EXPECT_EQ(u->uuid.size(), 36u);
  auto by_login = store_->find_user_by_login("alice");
  ASSERT_TRUE(by_login);
  EXPECT_EQ(by_login->id, u->id);
  EXPECT_EQ(by_login->email, "alice@example.com");
  EXPECT_TRUE(by_login->local);
  auto def = store_->find_group_by_name("sonar-users");
  auto groups = store_->user_groups(u->id);
  ASSERT_TRUE(groups);
  EXPECT_EQ(*groups, std::vector<GroupId>{def->id});
  EXPECT_EQ(**store_->password_hash(u->id), "hash");
}

TEST_P(StoreTest, FindsAManagedUserByGitlabId) {
  User u = make_user("bob", true);
  u.external_id = "4242";
  ASSERT_TRUE(store_->create_user(u, std::nullopt));
  auto found = store_->find_user_by_external_id(ExternalProvider::kGitlab, "4242");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->login, "bob");
  EXPECT_TRUE(found->managed);
  EXPECT_EQ(found->external_login, "bob");
  EXPECT_FALSE(*store_->password_hash(found->id));
  auto missing = store_->find_user_by_external_id(ExternalProvider::kGitlab, "1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, RefusesADuplicateLogin) {
  ASSERT_TRUE(store_->create_user(make_user("carol"), std::nullopt));
  auto again = store_->create_user(make_user("carol"), std::nullopt);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST_P(StoreTest, ListsUsersWithFiltersAndPages) {
  for (int i = 0; i < 25; ++i) {
    User u = make_user("user" + std::string(i < 10 ? "0" : "") + std::to_string(i), i % 2 == 0);
    u.active = i % 5 != 0;
    ASSERT_TRUE(store_->create_user(u, std::nullopt));
  }
  auto all = store_->list_users({.page_index = 2, .page_size = 10});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 25);
  ASSERT_EQ(all->items.size(), 10u);
  EXPECT_EQ(all->items.front().login, "user10");
  auto managed = store_->list_users({.managed = true, .page_size = 100});
  EXPECT_EQ(managed->total, 13);
  auto inactive = store_->list_users({.active = false, .page_size = 100});
  EXPECT_EQ(inactive->total, 5);
  auto q = store_->list_users({.q = "USER2", .page_size = 100});
  EXPECT_EQ(q->total, 5);  // user20..user24
}

TEST_P(StoreTest, SearchTreatsSqlMetaCharactersAsText) {
  ASSERT_TRUE(store_->create_user(make_user("o'brien"), std::nullopt));
  ASSERT_TRUE(store_->create_user(make_user("percent"), std::nullopt));
  EXPECT_EQ(store_->list_users({.q = "%"})->total, 0);
  EXPECT_EQ(store_->list_users({.q = "_"})->total, 0);
  EXPECT_EQ(store_->list_users({.q = "'"})->total, 1);
  EXPECT_EQ(store_->list_users({.q = "'; DROP TABLE users; --"})->total, 0);
  EXPECT_EQ(store_->list_users({})->total, 2);
}

TEST_P(StoreTest, UpdatesAUser) {
  auto u = store_->create_user(make_user("dave", true), std::nullopt);
  User changed = *u;
  changed.name = "David";
  changed.email = std::nullopt;
  changed.active = false;
  changed.last_connection_at = 1234;
  ASSERT_TRUE(store_->update_user(changed));
  auto back = store_->get_user(u->id);
  EXPECT_EQ(back->name, "David");
  EXPECT_FALSE(back->email);
  EXPECT_FALSE(back->active);
  EXPECT_EQ(back->last_connection_at, 1234);
  changed.id = 999999;
  EXPECT_EQ(store_->update_user(changed).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, ListsMembershipsByPageWithTheirGroupAndUser) {
  std::vector<User> users;
  for (const char* login : {"m-ann", "m-ben", "m-cid"}) {
    auto u = store_->create_user(make_user(login), std::nullopt);  // each in sonar-users
    ASSERT_TRUE(u) << u.error().message;
    users.push_back(*u);
  }
  Group g;
  g.name = "team/paged";
  auto team = store_->create_group(g);
  ASSERT_TRUE(team);
  ASSERT_TRUE(store_->add_membership(team->id, users[2].id));
  ASSERT_TRUE(store_->add_membership(team->id, users[0].id));
  const GroupId def = store_->find_group_by_name("sonar-users")->id;

  // Everything: ordered by group, then user; the page size and the total.
  auto all = store_->list_memberships({.page_index = 1, .page_size = 4});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->total, 5);
  ASSERT_EQ(all->items.size(), 4u);
  EXPECT_EQ(all->items[0].group.id, def);
  EXPECT_EQ(all->items[0].user.login, "m-ann");
  EXPECT_EQ(all->items[3].group.name, "team/paged");
  EXPECT_EQ(all->items[3].user.login, "m-ann");
  auto last = store_->list_memberships({.page_index = 2, .page_size = 4});
  ASSERT_EQ(last->items.size(), 1u);
  EXPECT_EQ(last->items[0].user.login, "m-cid");
  EXPECT_TRUE(store_->list_memberships({.page_index = 3, .page_size = 4})->items.empty());

  // By group, by user, by both.
  auto of_team = store_->list_memberships({.group = team->id});
  ASSERT_EQ(of_team->total, 2);
  EXPECT_EQ(of_team->items[0].user.login, "m-ann");
  EXPECT_EQ(of_team->items[1].user.login, "m-cid");
  auto of_cid = store_->list_memberships({.user = users[2].id});
  ASSERT_EQ(of_cid->total, 2);
  EXPECT_EQ(of_cid->items[0].group.id, def);
  EXPECT_EQ(of_cid->items[1].group.name, "team/paged");
  EXPECT_EQ(store_->list_memberships({.group = team->id, .user = users[1].id})->total, 0);
}

TEST_P(StoreTest, GroupsAndMemberships) {
  auto u = store_->create_user(make_user("erin"), std::nullopt);
  Group g;
  g.name = "team/backend";
  g.description = "Backend";
  g.managed = true;
  g.external_id = "77";
  auto created = store_->create_group(g);
  ASSERT_TRUE(created) << created.error().message;
  ASSERT_TRUE(store_->add_membership(created->id, u->id));
  ASSERT_TRUE(store_->add_membership(created->id, u->id));  // idempotent
  EXPECT_EQ(*store_->group_members(created->id), std::vector<UserId>{u->id});
  auto dup = store_->create_group(g);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

  Group renamed = *created;
  renamed.name = "team/back-end";
  ASSERT_TRUE(store_->update_group(renamed));
  EXPECT_EQ(store_->get_group(created->id)->name, "team/back-end");
  EXPECT_EQ(store_->list_groups({.managed = true})->total, 1);
  EXPECT_EQ(store_->list_groups({})->total, 2);
  EXPECT_EQ(*store_->user_group_names(u->id),
            (std::vector<std::string>{"sonar-users", "team/back-end"}));

  ASSERT_TRUE(store_->delete_group(created->id));  // takes its memberships along
  EXPECT_EQ(store_->user_groups(u->id)->size(), 1u);
  EXPECT_EQ(store_->get_group(created->id).error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(store_->remove_membership(store_->find_group_by_name("sonar-users")->id, u->id));
  EXPECT_TRUE(store_->user_groups(u->id)->empty());
}

TEST_P(StoreTest, TheDefaultGroupCannotBeDeleted) {
  auto def = store_->find_group_by_name("sonar-users");
  auto deleted = store_->delete_group(def->id);
  ASSERT_FALSE(deleted);
  EXPECT_EQ(deleted.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(StoreTest, ProjectsAndPermissions) {
  Project p;
  p.key = "my-app";
  p.name = "My App";
  auto created = store_->create_project(p);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(created->managed());
  Project bound = *created;
  bound.gitlab_project_id = 1234;
  bound.visibility = Visibility::kPrivate;
  ASSERT_TRUE(store_->update_project(bound));
  auto back = store_->find_project_by_key("my-app");
  EXPECT_EQ(back->gitlab_project_id, 1234);
  EXPECT_EQ(back->visibility, Visibility::kPrivate);
  EXPECT_TRUE(back->managed());

  auto u = store_->create_user(make_user("frank"), std::nullopt);
  auto g = store_->find_group_by_name("sonar-users");
  const PermissionGrant on_project{created->id, u->id, std::nullopt, "codeviewer"};
  const PermissionGrant global{std::nullopt, u->id, std::nullopt, "admin"};
  const PermissionGrant group_grant{created->id, std::nullopt, g->id, "user"};
  ASSERT_TRUE(store_->grant(on_project));
  ASSERT_TRUE(store_->grant(on_project));  // idempotent
  ASSERT_TRUE(store_->grant(global));
  ASSERT_TRUE(store_->grant(group_grant));
  EXPECT_EQ(store_->grants(created->id)->size(), 2u);
  EXPECT_EQ(*store_->grants(std::nullopt), std::vector<PermissionGrant>{global});
  // A user's own grants, global and on projects; not those of the user's groups.
  EXPECT_EQ(*store_->user_grants(u->id), (std::vector<PermissionGrant>{on_project, global}));
  ASSERT_TRUE(store_->revoke(on_project));
  EXPECT_EQ(*store_->grants(created->id), std::vector<PermissionGrant>{group_grant});

  const PermissionGrant both{created->id, u->id, g->id, "user"};
  EXPECT_EQ(store_->grant(both).error().code, ErrorCode::kInvalidArgument);

  ASSERT_TRUE(store_->delete_project(created->id));  // and its grants
  EXPECT_TRUE(store_->grants(created->id)->empty());
  EXPECT_EQ(store_->grants(std::nullopt)->size(), 1u);
}

TEST_P(StoreTest, ListsAProjectsPermissionHoldersByPage) {
  Project p;
  p.key = "holders";
  p.name = "Holders";
  auto project = store_->create_project(p);
  ASSERT_TRUE(project);
  std::vector<User> users;
  for (const char* login : {"h-cat", "h-amy", "h-bob", "h-dan"}) {
    users.push_back(*store_->create_user(make_user(login), std::nullopt));
  }
  for (const auto& [user, permission] : std::vector<std::pair<int, const char*>>{
           {0, "user"}, {0, "codeviewer"}, {1, "user"}, {2, "admin"}}) {
    ASSERT_TRUE(store_->grant({project->id, users[user].id, std::nullopt, permission}));
  }
  ASSERT_TRUE(store_->grant({std::nullopt, users[3].id, std::nullopt, "admin"}));  // global

  auto first = store_->list_permission_users({.project = project->id, .page_size = 2});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->total, 3);  // by login: amy, bob, cat; dan holds only a global one
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].user.login, "h-amy");
  EXPECT_EQ(first->items[0].permissions, std::vector<std::string>{"user"});
  EXPECT_EQ(first->items[1].user.login, "h-bob");
  auto second =
      store_->list_permission_users({.project = project->id, .page_index = 2, .page_size = 2});
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].user.login, "h-cat");
  EXPECT_EQ(second->items[0].permissions, (std::vector<std::string>{"codeviewer", "user"}));

  auto of_user = store_->list_permission_users({.project = project->id, .permission = "user"});
  EXPECT_EQ(of_user->total, 2);
  auto searched = store_->list_permission_users({.project = project->id, .q = "CA"});
  ASSERT_EQ(searched->items.size(), 1u);
  EXPECT_EQ(searched->items[0].user.login, "h-cat");
  auto global = store_->list_permission_users({});
  ASSERT_EQ(global->items.size(), 1u);
  EXPECT_EQ(global->items[0].user.login, "h-dan");
}

TEST_P(StoreTest, LoadsTheWholeState) {
  auto u = store_->create_user(make_user("gina"), std::nullopt);
  Project p;
  p.key = "k";
  p.name = "n";
  auto project = store_->create_project(p);
  ASSERT_TRUE(store_->grant({project->id, u->id, std::nullopt, "user"}));
  auto state = store_->load_state();
  ASSERT_TRUE(state);
  EXPECT_EQ(state->users.size(), 1u);
  EXPECT_EQ(state->groups.size(), 1u);
  EXPECT_EQ(state->memberships.size(), 1u);
  EXPECT_EQ(state->projects.size(), 1u);
  EXPECT_EQ(state->permissions.size(), 1u);
}

}  // namespace provisio::store
