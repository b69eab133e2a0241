// What Store::apply guarantees where managed identities meet local ones (behaviour.md §3, §5): a
// deactivated user holds nothing afterwards, global permissions are revoked with their audit
// rows, an adopted group may take the GitLab id a former mirror still holds, and no change set
// ever commits a state without an active administrator.
#include "database_dump.hpp"
#include "store/uuid.hpp"
#include "store_fixture.hpp"

namespace provisio::store {
namespace {

class ManagedApplyTest : public StoreTest {
 protected:
  std::vector<AuditEntry> audit_of(const std::string& action) {
    AuditQuery q;
    q.page_size = 500;
    const auto page = store_->list_audit(q);
    EXPECT_TRUE(page);
    std::vector<AuditEntry> out;
    for (const AuditEntry& a : page->items) {
      if (a.action == action) out.push_back(a);
    }
    return out;
  }
  Group group(const std::string& name, std::optional<std::string> gitlab_id = std::nullopt) {
    Group g;
    g.name = name;
    g.external_id = std::move(gitlab_id);
    auto made = store_->create_group(g);
    EXPECT_TRUE(made) << name;
    return made.value_or(Group{});
  }
  User user(const std::string& login, bool managed) {
    auto made = store_->create_user(make_user(login, managed), std::nullopt);
    EXPECT_TRUE(made) << login;
    return made.value_or(User{});
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ManagedApplyTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

TEST_P(ManagedApplyTest, ADeactivatedUserHoldsNothingAfterwardsWithAnAuditRowForEach) {
  const User u = user("leaver", true);
  const User other = user("stayer", true);
  const Group team = group("team");
  Project p;
  p.key = "unbound";
  p.name = "Unbound";
  const auto project = store_->create_project(p);
  ASSERT_TRUE(project);
  for (const User& x : {u, other}) {
    ASSERT_TRUE(store_->add_membership(team.id, x.id));
    ASSERT_TRUE(store_->grant({std::nullopt, x.id, std::nullopt, "gateadmin"}));
    ASSERT_TRUE(store_->grant({project->id, x.id, std::nullopt, "issueadmin"}));
  }
  constexpr Millis kNow = 1'800'000'000'000;  // 2027; the session lasts an hour from then
  ASSERT_TRUE(store_->create_session({"s-hash", u.id, "csrf", kNow, kNow + 3'600'000}));

  // The change set names only the deactivation, as a partial sync's plan may.
  ChangeSet c;
  c.membership_audit.actor = "sync";
  User off = u;
  off.active = false;
  c.users_to_update.push_back(off);
  ASSERT_TRUE(store_->apply(c));

  EXPECT_TRUE(store_->user_groups(u.id)->empty()) << "sonar-users included";
  EXPECT_TRUE(store_->user_grants(u.id)->empty());
  EXPECT_FALSE(store_->find_session("s-hash", kNow));
  EXPECT_EQ(store_->user_groups(other.id)->size(), 2U) << "sonar-users and team";
  EXPECT_EQ(store_->user_grants(other.id)->size(), 2U);
  std::set<std::string> removed, revoked;
  for (const AuditEntry& a : audit_of("membership.remove")) removed.insert(a.entity);
  for (const AuditEntry& a : audit_of("permission.revoke")) {
    revoked.insert(a.entity);
    EXPECT_EQ(a.cause, std::string(kDeactivatedCause));
    EXPECT_EQ(a.actor, "sync");
  }
  EXPECT_EQ(removed, (std::set<std::string>{"sonar-users/leaver", "team/leaver"}));
  EXPECT_EQ(revoked,
            (std::set<std::string>{"(global)/leaver/gateadmin", "unbound/leaver/issueadmin"}));
}

TEST_P(ManagedApplyTest, GlobalPermissionsAreRevokedWithTheirAuditRows) {
  const User u = user("holder", true);
  ASSERT_TRUE(store_->grant({std::nullopt, u.id, std::nullopt, "scan"}));
  ASSERT_TRUE(store_->grant({std::nullopt, u.id, std::nullopt, "profileadmin"}));
  ChangeSet c;
  c.causes = {"", "why"};
  c.global_permissions_to_revoke.push_back({RowRef::of_id(u.id), "scan", 1});
  ASSERT_TRUE(store_->apply(c));
  const auto left = store_->user_grants(u.id);
  EXPECT_EQ(*left,
            (std::vector<PermissionGrant>{{std::nullopt, u.id, std::nullopt, "profileadmin"}}));
  const auto rows = audit_of("permission.revoke");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].entity, "(global)/holder/scan");
  EXPECT_EQ(rows[0].cause, "why");
}

TEST_P(ManagedApplyTest, AnAdoptedGroupMayTakeTheGitlabIdAFormerMirrorHolds) {
  const Group former = group("acme/old", "42");
  const Group named = group("acme/new");
  ChangeSet c;
  Group off = former;
  off.external_id.reset();
  Group adopted = named;
  adopted.managed = true;
  adopted.external_id = "42";
  c.groups_to_update = {adopted, off};  // the new holder first: the ids swap within the set
  ASSERT_TRUE(store_->apply(c));
  EXPECT_EQ(store_->get_group(named.id)->external_id, "42");
  EXPECT_TRUE(store_->get_group(named.id)->managed);
  EXPECT_EQ(store_->get_group(former.id)->external_id, std::nullopt);
  EXPECT_EQ(store_->get_group(named.id)->uuid, named.uuid);
}

TEST_P(ManagedApplyTest, NoChangeSetCommitsAStateWithoutAnActiveAdministrator) {
  const User admin = user("only-admin", true);
  const Group admins = group("admins");
  ASSERT_TRUE(store_->grant({std::nullopt, std::nullopt, admins.id, "admin"}));
  ASSERT_TRUE(store_->add_membership(admins.id, admin.id));
  const auto before = testing::dump_database(url_);

  const auto refused = [&](const ChangeSet& c, const char* what) {
    const auto applied = store_->apply(c);
    ASSERT_FALSE(applied) << what;
    EXPECT_EQ(applied.error().code, ErrorCode::kFailedPrecondition) << what;
    EXPECT_NE(applied.error().message.find("Administer System"), std::string::npos) << what;
    EXPECT_EQ(testing::dump_database(url_), before) << what << ": nothing was written";
  };
  ChangeSet deactivate;
  User off = admin;
  off.active = false;
  deactivate.users_to_update.push_back(off);
  refused(deactivate, "deactivating the last administrator");
  ChangeSet leave;
  leave.memberships_to_remove.push_back({RowRef::of_id(admins.id), RowRef::of_id(admin.id)});
  refused(leave, "the last administrator leaving the group");
  ChangeSet drop;
  drop.groups_to_delete.push_back(admins.id);
  refused(drop, "deleting the administrators' group");

  // With another administrator, the same change goes through.
  const User second = user("second-admin", false);
  ASSERT_TRUE(store_->grant({std::nullopt, second.id, std::nullopt, "admin"}));
  EXPECT_TRUE(store_->apply(deactivate));
}

}  // namespace
}  // namespace provisio::store
