// Sessions and user tokens: stored as hashes, gone with their user's deactivation.
#include <algorithm>

#include "store_fixture.hpp"

namespace provisio::store {
namespace {

SessionRecord session_of(UserId user, const std::string& hash, Millis expires = 2'000'000) {
  return SessionRecord{hash, user, "csrf-" + hash, 1'000, expires};
}

UserToken token_of(UserId user, const std::string& name) {
  return UserToken{0, user, name, "hash-" + name + "-" + std::to_string(user), 5'000};
}

}  // namespace

TEST_P(StoreTest, FindsASessionUntilItExpiresThenForgetsIt) {
  auto u = store_->create_user(make_user("alice"), std::nullopt);
  ASSERT_TRUE(u);
  ASSERT_TRUE(store_->create_session(session_of(u->id, "s1", 2'000)));
  auto found = store_->find_session("s1", 1'500);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->user_id, u->id);
  EXPECT_EQ(found->csrf_token, "csrf-s1");
  EXPECT_EQ(found->expires_at, 2'000);
  auto expired = store_->find_session("s1", 2'000);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kNotFound);
  // Deleted on the way: not found even at an earlier time.
  EXPECT_FALSE(store_->find_session("s1", 1'500));
  EXPECT_EQ(store_->find_session("nope", 0).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreTest, DeletesASession) {
  auto u = store_->create_user(make_user("alice"), std::nullopt);
  ASSERT_TRUE(store_->create_session(session_of(u->id, "s1")));
  ASSERT_TRUE(store_->delete_session("s1"));
  EXPECT_FALSE(store_->find_session("s1", 0));
  EXPECT_TRUE(store_->delete_session("s1"));  // idempotent
}

TEST_P(StoreTest, CreatesFindsListsAndDeletesUserTokens) {
  auto u = store_->create_user(make_user("alice"), std::nullopt);
  auto v = store_->create_user(make_user("bob"), std::nullopt);
  auto t = store_->create_user_token(token_of(u->id, "ci"));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_GT(t->id, 0);
  ASSERT_TRUE(store_->create_user_token(token_of(u->id, "a-laptop")));
  ASSERT_TRUE(store_->create_user_token(token_of(v->id, "ci")));  // names are per user
  auto again = store_->create_user_token(token_of(u->id, "ci"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);

  auto found = store_->find_user_token(t->token_hash);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user_id, u->id);
  EXPECT_EQ(found->name, "ci");
  EXPECT_EQ(found->created_at, 5'000);
  auto list = store_->list_user_tokens(u->id);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "a-laptop");
  EXPECT_EQ((*list)[1].name, "ci");

  ASSERT_TRUE(store_->delete_user_token(u->id, "ci"));
  EXPECT_EQ(store_->find_user_token(t->token_hash).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->delete_user_token(u->id, "ci").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->list_user_tokens(v->id)->size(), 1u);
}

TEST_P(StoreTest, DeactivatingAUserDropsItsSessionsAndTokens) {
  auto u = store_->create_user(make_user("alice"), std::nullopt);
  auto other = store_->create_user(make_user("bob"), std::nullopt);
  ASSERT_TRUE(store_->create_session(session_of(u->id, "s1")));
  ASSERT_TRUE(store_->create_session(session_of(other->id, "s2")));
  ASSERT_TRUE(store_->create_user_token(token_of(u->id, "ci")));
  User changed = *u;
  changed.name = "Alice";
  ASSERT_TRUE(store_->update_user(changed));  // still active: nothing dropped
  EXPECT_TRUE(store_->find_session("s1", 0));
  changed.active = false;
  ASSERT_TRUE(store_->update_user(changed));
  EXPECT_FALSE(store_->find_session("s1", 0));
  EXPECT_TRUE(store_->list_user_tokens(u->id)->empty());
  EXPECT_TRUE(store_->find_session("s2", 0));
}

TEST_P(StoreTest, ApplyDropsTheCredentialsOfUsersItDeactivates) {
  auto u = store_->create_user(make_user("alice", true), std::nullopt);
  auto kept = store_->create_user(make_user("bob", true), std::nullopt);
  ASSERT_TRUE(store_->create_session(session_of(u->id, "s1")));
  ASSERT_TRUE(store_->create_user_token(token_of(u->id, "ci")));
  ASSERT_TRUE(store_->create_session(session_of(kept->id, "s2")));
  ASSERT_TRUE(store_->create_user_token(token_of(kept->id, "ci")));
  ChangeSet c;
  User off = *u;
  off.active = false;
  User renamed = *kept;
  renamed.name = "Bob B.";
  c.users_to_update = {off, renamed};
  ASSERT_TRUE(store_->apply(c));
  EXPECT_FALSE(store_->find_session("s1", 0));
  EXPECT_TRUE(store_->list_user_tokens(u->id)->empty());
  EXPECT_TRUE(store_->find_session("s2", 0));
  EXPECT_EQ(store_->list_user_tokens(kept->id)->size(), 1u);
}

TEST_P(StoreTest, DeleteUserCredentialsDropsBoth) {
  auto u = store_->create_user(make_user("alice"), std::nullopt);
  ASSERT_TRUE(store_->create_session(session_of(u->id, "s1")));
  ASSERT_TRUE(store_->create_user_token(token_of(u->id, "ci")));
  ASSERT_TRUE(store_->delete_user_credentials(u->id));
  EXPECT_FALSE(store_->find_session("s1", 0));
  EXPECT_TRUE(store_->list_user_tokens(u->id)->empty());
}

TEST_P(StoreTest, DeleteSessionsOfAUserKeepsTheOneNamedAndEveryToken) {
  auto u = store_->create_user(make_user("alice"), std::nullopt);
  auto v = store_->create_user(make_user("bob"), std::nullopt);
  for (const char* s : {"s1", "s2", "s3"})
    ASSERT_TRUE(store_->create_session(session_of(u->id, s)));
  ASSERT_TRUE(store_->create_session(session_of(v->id, "other")));
  ASSERT_TRUE(store_->create_user_token(token_of(u->id, "ci")));
  ASSERT_TRUE(store_->delete_sessions_of(u->id, std::string("s2")));
  EXPECT_FALSE(store_->find_session("s1", 0));
  EXPECT_TRUE(store_->find_session("s2", 0));
  EXPECT_FALSE(store_->find_session("s3", 0));
  EXPECT_TRUE(store_->find_session("other", 0));
  EXPECT_EQ(store_->list_user_tokens(u->id)->size(), 1u);
  ASSERT_TRUE(store_->delete_sessions_of(u->id, std::nullopt));
  EXPECT_FALSE(store_->find_session("s2", 0));
}

TEST_P(StoreTest, AGitlabLoginStateIsConsumedOnceAndOnlyBeforeItExpires) {
  ASSERT_TRUE(store_->save_oauth_state("h1", 10'000, 1'000));
  ASSERT_TRUE(store_->save_oauth_state("h2", 10'000, 1'000));
  EXPECT_EQ(store_->consume_oauth_state("h1", 5'000), true);
  EXPECT_EQ(store_->consume_oauth_state("h1", 5'000), false) << "a replay";
  EXPECT_EQ(store_->consume_oauth_state("unknown", 5'000), false);
  EXPECT_EQ(store_->consume_oauth_state("h2", 10'001), false) << "expired";
  // Saving sweeps what expired.
  ASSERT_TRUE(store_->save_oauth_state("h3", 30'000, 1'000));
  ASSERT_TRUE(store_->save_oauth_state("h4", 40'000, 35'000));
  EXPECT_EQ(store_->consume_oauth_state("h3", 20'000), false) << "swept when h4 was saved";
  EXPECT_EQ(store_->consume_oauth_state("h4", 20'000), true);
}

TEST_P(StoreTest, AdminHoldingsAreTheActiveUsersWithGlobalAdminDirectlyOrThroughAGroup) {
  const User ann = *store_->create_user(make_user("ann"), std::nullopt);
  const User bob = *store_->create_user(make_user("bob", true), std::nullopt);
  User off = make_user("cy");
  off.active = false;
  off = *store_->create_user(off, std::nullopt);
  const User dan = *store_->create_user(make_user("dan"), std::nullopt);
  Group admins;
  admins.name = "admins";
  admins = *store_->create_group(admins);
  ASSERT_TRUE(store_->add_membership(admins.id, bob.id));
  ASSERT_TRUE(store_->add_membership(admins.id, off.id));
  const auto grant = [&](std::optional<UserId> user, std::optional<GroupId> group,
                         std::optional<ProjectId> project = std::nullopt) {
    PermissionGrant g;
    g.user_id = user;
    g.group_id = group;
    g.project_id = project;
    g.permission = "admin";
    ASSERT_TRUE(store_->grant(g));
  };
  grant(ann.id, std::nullopt);
  grant(std::nullopt, admins.id);
  grant(off.id, std::nullopt);
  Project p;
  p.key = "p";
  p.name = "P";
  p = *store_->create_project(p);
  grant(dan.id, std::nullopt, p.id);  // a project's admin, not the instance's
  auto holdings = store_->admin_holdings();
  ASSERT_TRUE(holdings) << holdings.error().message;
  std::sort(holdings->begin(), holdings->end(),
            [](const AdminHolding& a, const AdminHolding& b) { return a.user < b.user; });
  const std::vector<AdminHolding> expected = {{ann.id, ann.local, std::nullopt},
                                              {bob.id, bob.local, admins.id}};
  EXPECT_EQ(*holdings, expected);
}

TEST_P(StoreTest, FindsUsersByEmailIgnoringCase) {
  User alice = make_user("alice");
  alice.email = "Alice@Example.com";
  ASSERT_TRUE(store_->create_user(alice, std::nullopt));
  User bob = make_user("bob");
  bob.email = std::nullopt;
  ASSERT_TRUE(store_->create_user(bob, std::nullopt));
  auto found = store_->find_users_by_email("alice@example.COM");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().login, "alice");
  EXPECT_TRUE(store_->find_users_by_email("alice@example.org")->empty());
  // A LIKE wildcard in the address is an ordinary character.
  EXPECT_TRUE(store_->find_users_by_email("%@example.com")->empty());
}

TEST_P(StoreTest, FindsUsersAndGroupsByUuid) {
  auto u = store_->create_user(make_user("alice"), std::nullopt);
  auto found = store_->find_user_by_uuid(u->uuid);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->login, "alice");
  EXPECT_EQ(store_->find_user_by_uuid("nope").error().code, ErrorCode::kNotFound);
  Group g;
  g.name = "devs";
  auto created = store_->create_group(g);
  ASSERT_TRUE(created);
  auto group = store_->find_group_by_uuid(created->uuid);
  ASSERT_TRUE(group);
  EXPECT_EQ(group->name, "devs");
  EXPECT_EQ(store_->find_group_by_uuid("nope").error().code, ErrorCode::kNotFound);
}

}  // namespace provisio::store
