// The rows of event-driven partial syncs: queued scopes merge while pending, a part of the state
// is read by GitLab ids, a GitLab user's rows are found, and share links are kept.
#include <algorithm>

#include "store_fixture.hpp"

namespace provisio::store {
namespace {

SyncScope groups(std::set<std::int64_t> ids) { return SyncScope{std::move(ids), {}, {}}; }

}  // namespace

TEST_P(StoreTest, EventScopesMergeIntoThePendingTaskAndStartAFreshOneOnceItRuns) {
  auto first = store_->queue_event_scope(groups({1, 2}), "gitlab-events", 1'000, 100);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->type, TaskType::kGitlabEventProvisioning);
  auto second =
      store_->queue_event_scope(SyncScope{{2, 3}, {10}, {7}}, "gitlab-events", 2'000, 100);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->id, first->id);
  ASSERT_TRUE(second->scope);
  EXPECT_EQ(*second->scope, (SyncScope{{1, 2, 3}, {10}, {7}}));
  EXPECT_EQ(store_->get_task(first->id)->scope, second->scope);

  auto claimed = store_->claim_task("node-a", 3'000, 30'000);
  ASSERT_TRUE(claimed && *claimed);
  EXPECT_EQ((*claimed)->id, first->id);
  // Running: the next event waits in a task of its own.
  auto third = store_->queue_event_scope(groups({4}), "gitlab-events", 4'000, 100);
  ASSERT_TRUE(third);
  EXPECT_NE(third->id, first->id);
  EXPECT_EQ(third->scope, groups({4}));
}

TEST_P(StoreTest, AFloodOfEventsBecomesOneFullSyncThatCoversTheEventsAfterIt) {
  auto first = store_->queue_event_scope(SyncScope{{1, 2}, {10}, {}}, "gitlab-events", 1'000, 4);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->type, TaskType::kGitlabEventProvisioning);
  // Five ids in all: over the bound of four.
  auto over = store_->queue_event_scope(SyncScope{{}, {}, {7, 8}}, "gitlab-events", 2'000, 4);
  ASSERT_TRUE(over) << over.error().message;
  EXPECT_EQ(over->type, TaskType::kGitlabAuthProvisioning);
  EXPECT_EQ(over->status, TaskStatus::kPending);
  EXPECT_EQ(over->submitter, "gitlab-events");
  const auto replaced = store_->get_task(first->id);
  EXPECT_EQ(replaced->status, TaskStatus::kCanceled);
  EXPECT_EQ(replaced->scope, (SyncScope{{1, 2}, {10}, {}})) << "never grew past the bound";
  ASSERT_EQ(replaced->info_messages.size(), 1u);
  EXPECT_NE(replaced->info_messages[0].find("full synchronization"), std::string::npos);
  // While the full sync is pending, it covers every further event.
  auto later = store_->queue_event_scope(groups({3}), "gitlab-events", 3'000, 4);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->id, over->id);
  // One event naming more than the bound, with nothing pending: a full sync at once.
  auto claimed = store_->claim_task("node-a", 4'000, 30'000);
  ASSERT_TRUE(claimed && *claimed);
  ASSERT_TRUE(store_->finish_task((*claimed)->id, "node-a", 5'000, {}));
  auto big = store_->queue_event_scope(groups({1, 2, 3, 4, 5}), "gitlab-events", 6'000, 4);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->type, TaskType::kGitlabAuthProvisioning);
}

TEST_P(StoreTest, APartOfTheStateIsReadByGitlabIds) {
  const User ann = *store_->create_user(make_user("ann", true), std::nullopt);
  const User bob = *store_->create_user(make_user("bob", true), std::nullopt);
  const User cy = *store_->create_user(make_user("cy", true), std::nullopt);
  Group web;
  web.name = "acme/web";
  web.managed = true;
  web.external_id = "20";
  web = *store_->create_group(web);
  Group other;
  other.name = "acme/other";
  other.managed = true;
  other.external_id = "30";
  other = *store_->create_group(other);
  ASSERT_TRUE(store_->add_membership(web.id, ann.id));
  ASSERT_TRUE(store_->add_membership(other.id, bob.id));
  Project app;
  app.key = "app";
  app.name = "App";
  app.gitlab_project_id = 100;
  app = *store_->create_project(app);
  PermissionGrant grant;
  grant.project_id = app.id;
  grant.user_id = cy.id;
  grant.permission = "codeviewer";
  ASSERT_TRUE(store_->grant(grant));

  StateScope scope;
  scope.gitlab_groups = {20};
  scope.gitlab_projects = {100};
  scope.gitlab_users = {std::stoll(*bob.external_id)};
  auto s = store_->load_scoped_state(scope);
  ASSERT_TRUE(s) << s.error().message;
  std::set<std::string> logins, group_names;
  for (const User& u : s->users) logins.insert(u.login);
  for (const Group& g : s->groups) group_names.insert(g.name);
  EXPECT_EQ(logins, (std::set<std::string>{"ann", "bob", "cy"}));  // member, named, grantee
  EXPECT_EQ(group_names, (std::set<std::string>{"sonar-users", "acme/web"}));
  ASSERT_EQ(s->projects.size(), 1u);
  EXPECT_EQ(s->projects[0].key, "app");
  ASSERT_EQ(s->permissions.size(), 1u);
  // acme/web's member, and the default group's memberships of the users read; not acme/other's.
  std::size_t in_web = 0, in_other = 0;
  for (const Membership& m : s->memberships) {
    in_web += m.group_id == web.id ? 1 : 0;
    in_other += m.group_id == other.id ? 1 : 0;
  }
  EXPECT_EQ(in_web, 1u);
  EXPECT_EQ(in_other, 0u);
  EXPECT_TRUE(std::is_sorted(
      s->memberships.begin(), s->memberships.end(), [](const Membership& a, const Membership& b) {
        return std::pair(a.group_id, a.user_id) < std::pair(b.group_id, b.user_id);
      }));

  auto rows =
      store_->rows_of_gitlab_users({std::stoll(*ann.external_id), std::stoll(*cy.external_id)});
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->groups, (std::set<std::int64_t>{20}));
  EXPECT_EQ(rows->projects, (std::set<std::int64_t>{100}));
  EXPECT_EQ(*store_->bound_gitlab_projects(), (std::set<std::int64_t>{100}));
}

// An event about one member compares that member's rows only: the other members of the group
// and the other grantees of the project are not read as users (so not compared, so left alone);
// every grant of the project is read, for the guard that counts its administrators.
TEST_P(StoreTest, APartOfTheStateIsReadForTheUsersNamedOnly) {
  const User ann = *store_->create_user(make_user("ann", true), std::nullopt);
  const User bob = *store_->create_user(make_user("bob", true), std::nullopt);
  Group web;
  web.name = "acme/web";
  web.managed = true;
  web.external_id = "20";
  web = *store_->create_group(web);
  ASSERT_TRUE(store_->add_membership(web.id, ann.id));
  ASSERT_TRUE(store_->add_membership(web.id, bob.id));
  Project app;
  app.key = "app";
  app.name = "App";
  app.gitlab_project_id = 100;
  app = *store_->create_project(app);
  for (const User* u : {&ann, &bob}) {
    PermissionGrant grant;
    grant.project_id = app.id;
    grant.user_id = u->id;
    grant.permission = "codeviewer";
    ASSERT_TRUE(store_->grant(grant));
  }

  StateScope scope;
  scope.gitlab_groups = {20};
  scope.gitlab_projects = {100};
  scope.gitlab_users = {std::stoll(*bob.external_id)};
  scope.only_gitlab_users = std::set<std::int64_t>{std::stoll(*bob.external_id)};
  auto s = store_->load_scoped_state(scope);
  ASSERT_TRUE(s) << s.error().message;
  std::set<std::string> logins;
  for (const User& u : s->users) logins.insert(u.login);
  EXPECT_EQ(logins, (std::set<std::string>{"bob"}));
  EXPECT_EQ(s->permissions.size(), 2u);
  std::set<std::pair<GroupId, UserId>> memberships;
  for (const Membership& m : s->memberships) memberships.insert({m.group_id, m.user_id});
  EXPECT_EQ(memberships.count({web.id, bob.id}), 1u);
  EXPECT_EQ(memberships.count({web.id, ann.id}), 0u);

  // A user named who is not here yet: nobody's rows.
  scope.only_gitlab_users = std::set<std::int64_t>{999'999};
  s = store_->load_scoped_state(scope);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->users.empty());
  EXPECT_EQ(s->memberships.size(), 0u);
}

TEST_P(StoreTest, ShareLinksAreReplacedWholeAndFoundByInvitedGroup) {
  ASSERT_TRUE(store_->save_share_links({{31, false, 2}, {32, true, 100}, {40, false, 3}}));
  auto links = store_->share_links_of({31, 32});
  ASSERT_TRUE(links);
  std::sort(links->begin(), links->end(), [](const ShareLink& a, const ShareLink& b) {
    return a.invited_group < b.invited_group;
  });
  EXPECT_EQ(*links, (std::vector<ShareLink>{{31, false, 2}, {32, true, 100}}));
  ASSERT_TRUE(store_->save_share_links({{50, true, 7}}));
  EXPECT_TRUE(store_->share_links_of({31, 32, 40})->empty());
  EXPECT_EQ(store_->share_links_of({50})->size(), 1u);
}

}  // namespace provisio::store
