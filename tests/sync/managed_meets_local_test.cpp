// Where GitLab-managed identities meet what an administrator made by hand (behaviour.md §3, issue
// 19): whole syncs of world S over loopback (sync_fixture.hpp) on SQLite and PostgreSQL, against
// a store an administrator prepared first — a local group named like a GitLab group, a provisioned
// user in a local group, a user holding global permissions and permissions on an unbound project,
// service accounts among the GitLab users.
#include "core/bots.hpp"
#include "store/credentials.hpp"
#include "sync_fixture.hpp"

namespace provisio::sync_test {
namespace {

class ManagedMeetsLocalTest : public SyncFixture {
 protected:
  // A subgroup of acme with direct members of its own, as GitLab reports it.
  json acme_subgroup() {
    for (const json& g : sim_->all("/api/v4/groups/acme/descendant_groups")) {
      if (!sim_->get("/api/v4/groups/" + std::to_string(g["id"].get<gl::Id>()) + "/members")
               .empty()) {
        return g;
      }
    }
    ADD_FAILURE() << "acme has no subgroup with direct members";
    return nullptr;
  }

  Group stored_group(const std::string& name) {
    auto g = store_->find_group_by_name(name);
    EXPECT_TRUE(g) << name;
    return g.value_or(Group{});
  }

  User stored_gitlab_user(gl::Id gitlab_id) {
    auto u = store_->find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(gitlab_id));
    EXPECT_TRUE(u) << "GitLab user " << gitlab_id;
    return u.value_or(User{});
  }

  User local_user(const std::string& login) {
    User u;
    u.login = login;
    u.name = login;
    u.local = true;
    auto made = store_->create_user(u, std::string("hash"));
    EXPECT_TRUE(made) << login;
    return made.value_or(User{});
  }

  // A GitLab user who logged in by Just-in-Time before automatic provisioning was turned on.
  User jit_user(gl::Id gitlab_id, const std::string& username) {
    User u;
    u.login = username + "-jit";
    u.name = username;
    u.external_provider = ExternalProvider::kGitlab;
    u.external_id = std::to_string(gitlab_id);
    u.external_login = username;
    auto made = store_->create_user(u, std::nullopt);
    EXPECT_TRUE(made) << username;
    return made.value_or(User{});
  }

  Project unbound_project(const std::string& key) {
    EXPECT_TRUE(sync::create_project(*store_, key, key, Visibility::kPrivate, "test"));
    return *store_->find_project_by_key(key);
  }

  std::set<std::string> group_names_of(const User& u) {
    auto names = store_->user_group_names(u.id);
    EXPECT_TRUE(names);
    return {names->begin(), names->end()};
  }

  // The audit rows of `action`, about `entity` when given (a first sync writes thousands).
  std::vector<AuditEntry> audit(const std::string& action, std::optional<std::string> entity = {}) {
    store::AuditQuery q;
    q.entity = std::move(entity);
    q.page_size = 1000;
    std::vector<AuditEntry> out;
    for (;; ++q.page_index) {
      auto page = store_->list_audit(q);
      EXPECT_TRUE(page);
      if (!page || page->items.empty()) break;
      for (const AuditEntry& a : page->items) {
        if (a.action == action) out.push_back(a);
      }
    }
    return out;
  }

  void switch_mode(ProvisioningType type) {
    sync::GitlabConfiguration config(*store_, clock_);
    sync::GitlabConfigPatch patch;
    patch.provisioning_type = type;
    ASSERT_TRUE(config.update(patch, "test"));
  }

  static bool warns_of_local_names(const Task& t) {
    return std::any_of(t.warnings.begin(), t.warnings.end(), [](const std::string& w) {
      return w.find("local group") != std::string::npos;
    });
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ManagedMeetsLocalTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST_P(ManagedMeetsLocalTest, ALocalGroupNamedLikeAGitlabGroupIsAdoptedByTheFirstSync) {
  const json sub = acme_subgroup();
  const std::string path = sub["full_path"];
  const gl::Id gitlab_id = sub["id"];
  // Made by hand for Just-in-Time group sync: a permission, a local member, and a GitLab user
  // who is not a member of that group in GitLab.
  Group made;
  made.name = path;
  made.description = "made by hand";
  auto local = store_->create_group(made);
  ASSERT_TRUE(local);
  const Project other = unbound_project("by-hand");
  ASSERT_TRUE(store_->grant({std::nullopt, std::nullopt, local->id, "gateadmin"}));
  ASSERT_TRUE(store_->grant({other.id, std::nullopt, local->id, "codeviewer"}));
  const User alice = local_user("alice-local");
  ASSERT_TRUE(store_->add_membership(local->id, alice.id));
  const json outsider = sim_->get("/api/v4/users/4");
  const User stranger = jit_user(4, outsider["username"]);
  std::set<gl::Id> direct;
  for (const json& m : sim_->all("/api/v4/groups/" + std::to_string(gitlab_id) + "/members/all")) {
    direct.insert(m["id"].get<gl::Id>());
  }
  ASSERT_EQ(direct.count(4), 0U) << "the test needs user 4 outside " << path;
  ASSERT_TRUE(store_->add_membership(local->id, stranger.id));

  const Task t = full_sync();
  ASSERT_EQ(t.status, TaskStatus::kSuccess) << t.error_message.value_or("");
  EXPECT_EQ(t.counts.groups_adopted, 1);
  EXPECT_FALSE(warns_of_local_names(t)) << ::testing::PrintToString(t.warnings);

  const Group adopted = stored_group(path);
  EXPECT_EQ(adopted.id, local->id);
  EXPECT_EQ(adopted.uuid, local->uuid);
  EXPECT_TRUE(adopted.managed);
  EXPECT_EQ(adopted.external_id, std::to_string(gitlab_id));
  // Its permissions stay; its GitLab members are GitLab's; the local user stays a member.
  auto global = store_->grants(std::nullopt);
  ASSERT_TRUE(global);
  EXPECT_NE(std::find(global->begin(), global->end(),
                      PermissionGrant{std::nullopt, std::nullopt, local->id, "gateadmin"}),
            global->end());
  auto on_other = store_->grants(other.id);
  ASSERT_TRUE(on_other);
  EXPECT_EQ(*on_other,
            (std::vector<PermissionGrant>{{other.id, std::nullopt, local->id, "codeviewer"}}));
  auto members = store_->group_members(local->id);
  ASSERT_TRUE(members);
  EXPECT_NE(std::find(members->begin(), members->end(), alice.id), members->end());
  EXPECT_EQ(std::find(members->begin(), members->end(), stranger.id), members->end());
  expect_matches_gitlab();
  // The adoption is in the audit with its cause.
  const auto adoptions = audit("group.adopt");
  ASSERT_EQ(adoptions.size(), 1U);
  EXPECT_EQ(adoptions[0].entity, path);
  ASSERT_TRUE(adoptions[0].cause);
  EXPECT_NE(adoptions[0].cause->find("GitLab group " + path), std::string::npos);
}

TEST_P(ManagedMeetsLocalTest, AJitRoundTripLeavesEveryMirroredGroupManaged) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  std::map<std::string, std::string> uuids;  // mirrored group name -> uuid
  auto state = store_->load_state();
  ASSERT_TRUE(state);
  for (const Group& g : state->groups) {
    if (g.managed) uuids[g.name] = g.uuid;
  }
  ASSERT_GT(uuids.size(), 10U);

  switch_mode(ProvisioningType::kJit);
  state = store_->load_state();
  for (const Group& g : state->groups) EXPECT_FALSE(g.managed) << g.name;
  switch_mode(ProvisioningType::kAutoProvisioning);

  const Task back = full_sync();
  ASSERT_EQ(back.status, TaskStatus::kSuccess) << back.error_message.value_or("");
  EXPECT_EQ(back.counts.groups_adopted, static_cast<std::int64_t>(uuids.size()));
  EXPECT_EQ(back.counts.groups_created, 0);
  EXPECT_FALSE(warns_of_local_names(back)) << ::testing::PrintToString(back.warnings);
  state = store_->load_state();
  std::map<std::string, std::string> after;
  for (const Group& g : state->groups) {
    if (g.managed) after[g.name] = g.uuid;
  }
  EXPECT_EQ(after, uuids);
  expect_matches_gitlab();

  // And once more, with a GitLab group renamed while the instance was in Just-in-Time mode: the
  // former mirror is found by its GitLab id.
  switch_mode(ProvisioningType::kJit);
  const json sub = acme_subgroup();
  const std::string old_path = sub["full_path"];
  sim_->control("groups/rename", {{"id", sub["id"]}, {"path", "renamed-in-jit"}});
  switch_mode(ProvisioningType::kAutoProvisioning);
  const Task renamed = full_sync();
  ASSERT_EQ(renamed.status, TaskStatus::kSuccess) << renamed.error_message.value_or("");
  EXPECT_EQ(renamed.counts.groups_created, 0);
  const std::string new_path = old_path.substr(0, old_path.rfind('/') + 1) + "renamed-in-jit";
  EXPECT_EQ(stored_group(new_path).uuid, uuids.at(old_path));
  expect_matches_gitlab();
}

TEST_P(ManagedMeetsLocalTest, AProvisionedUserLeavesLocalGroupsOnTheFirstAndEveryLaterSync) {
  const json sub = acme_subgroup();
  const json member =
      sim_->get("/api/v4/groups/" + std::to_string(sub["id"].get<gl::Id>()) + "/members")[0];
  const gl::Id gitlab_id = member["id"];
  // Before automatic provisioning: the user came in by JIT and was put in a local group holding
  // Administer System.
  const User before = jit_user(gitlab_id, member["username"]);
  Group admins;
  admins.name = "local-admins";
  auto local = store_->create_group(admins);
  ASSERT_TRUE(local);
  ASSERT_TRUE(store_->grant({std::nullopt, std::nullopt, local->id, "admin"}));
  ASSERT_TRUE(store_->add_membership(local->id, before.id));
  const User keeper = local_user("keeper");
  ASSERT_TRUE(store_->add_membership(local->id, keeper.id));

  const Task first = full_sync();
  ASSERT_EQ(first.status, TaskStatus::kSuccess) << first.error_message.value_or("");
  const User provisioned = stored_gitlab_user(gitlab_id);
  EXPECT_EQ(provisioned.id, before.id);
  EXPECT_TRUE(provisioned.managed);
  EXPECT_EQ(group_names_of(provisioned).count("local-admins"), 0U);
  auto members = store_->group_members(local->id);
  EXPECT_EQ(*members, std::vector<UserId>{keeper.id}) << "local users stay";
  EXPECT_EQ(audit("membership.remove", "local-admins/" + provisioned.login).size(), 1U);

  // Put back by hand behind the API's back (the API refuses it): the next sync removes it again.
  ASSERT_TRUE(store_->add_membership(local->id, provisioned.id));
  const Task later = full_sync();
  ASSERT_EQ(later.status, TaskStatus::kSuccess);
  EXPECT_EQ(later.counts.memberships_removed, 1);
  EXPECT_EQ(group_names_of(provisioned).count("local-admins"), 0U);
}

TEST_P(ManagedMeetsLocalTest, TheSyncNeverTakesAwayTheLastAdministrator) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  // The only administrator is a provisioned user, through a local group (put there by hand
  // before automatic provisioning).
  const json sub = acme_subgroup();
  const json member =
      sim_->get("/api/v4/groups/" + std::to_string(sub["id"].get<gl::Id>()) + "/members")[0];
  const User admin = stored_gitlab_user(member["id"].get<gl::Id>());
  ASSERT_TRUE(admin.managed);
  Group admins;
  admins.name = "only-admins";
  auto local = store_->create_group(admins);
  ASSERT_TRUE(local);
  ASSERT_TRUE(store_->grant({std::nullopt, std::nullopt, local->id, "admin"}));
  ASSERT_TRUE(store_->add_membership(local->id, admin.id));
  // Every row but the runs' own records: the task rows and the plan the guard keeps.
  const auto rows = [&] { return testing::dump_database(url_, {"tasks", "held_plans"}); };
  const auto dumped = rows();

  const Task held = full_sync();
  EXPECT_EQ(held.status, TaskStatus::kFailed);
  EXPECT_TRUE(held.held);
  ASSERT_TRUE(held.error_message);
  EXPECT_NE(held.error_message->find("Administer System"), std::string::npos)
      << *held.error_message;
  EXPECT_EQ(rows(), dumped) << "nothing was applied";

  // Confirming it anyway is refused too: the store never commits a state without one.
  auto confirmed = service_->confirm(held.id, "test");
  ASSERT_TRUE(confirmed);
  EXPECT_EQ(confirmed->status, TaskStatus::kFailed);
  EXPECT_NE(confirmed->error_message.value_or("").find("Administer System"), std::string::npos);
  EXPECT_EQ(rows(), dumped);

  // Another administrator, and the sync goes through.
  const User keeper = local_user("keeper");
  ASSERT_TRUE(store_->grant({std::nullopt, keeper.id, std::nullopt, "admin"}));
  const Task ok = full_sync();
  EXPECT_EQ(ok.status, TaskStatus::kSuccess) << ok.error_message.value_or("");
  EXPECT_EQ(group_names_of(admin).count("only-admins"), 0U);
}

TEST_P(ManagedMeetsLocalTest, ADeactivatedUserHoldsNothingAndComesBackWithSonarUsersPlusGitlab) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  // A provisioned member of a bound project, given more by hand.
  const gl::Id project = bound_.begin()->first;
  const json member = sim_->get("/api/v4/projects/" + std::to_string(project) + "/members/all")[0];
  const gl::Id gitlab_id = member["id"];
  const User u = stored_gitlab_user(gitlab_id);
  ASSERT_TRUE(u.managed);
  const Project other = unbound_project("unbound");
  ASSERT_TRUE(store_->grant({std::nullopt, u.id, std::nullopt, "scan"}));
  ASSERT_TRUE(store_->grant({std::nullopt, u.id, std::nullopt, "gateadmin"}));
  ASSERT_TRUE(store_->grant({other.id, u.id, std::nullopt, "issueadmin"}));
  Group team;
  team.name = "team-local";
  auto local = store_->create_group(team);
  ASSERT_TRUE(local);
  ASSERT_TRUE(store_->add_membership(local->id, u.id));
  ASSERT_TRUE(store_->create_session(
      {"session-hash", u.id, "csrf", clock_.now(), clock_.now() + 3'600'000}));
  ASSERT_TRUE(store_->create_user_token({0, u.id, "ci", "token-hash", clock_.now()}));
  const std::set<std::string> gitlab_groups = [&] {
    std::set<std::string> out = group_names_of(u);
    out.erase("team-local");
    return out;
  }();
  auto held = store_->user_grants(u.id);
  std::set<std::pair<std::optional<ProjectId>, std::string>> gitlab_grants;
  for (const PermissionGrant& g : *held) {
    if (g.project_id && *g.project_id != other.id)
      gitlab_grants.emplace(g.project_id, g.permission);
  }
  ASSERT_FALSE(gitlab_grants.empty());

  // Blocked in GitLab: deactivated here, holding nothing at all.
  sim_->control("users/block", {{"user_id", gitlab_id}});
  const Task off = full_sync();
  ASSERT_EQ(off.status, TaskStatus::kSuccess) << off.error_message.value_or("");
  EXPECT_EQ(off.counts.users_deactivated, 1);
  const User deactivated = stored_gitlab_user(gitlab_id);
  EXPECT_FALSE(deactivated.active);
  EXPECT_TRUE(group_names_of(deactivated).empty()) << "not even sonar-users";
  EXPECT_TRUE(store_->user_grants(u.id)->empty()) << "no global or project permission";
  EXPECT_FALSE(store_->find_session("session-hash", clock_.now()));
  EXPECT_FALSE(store_->find_user_token("token-hash"));
  EXPECT_EQ(audit("permission.revoke", "(global)/" + u.login + "/gateadmin").size(), 1U);
  // A resync with nothing new changes nothing: not a row but the task's own record.
  const auto settled = dump();
  const Task quiet = full_sync();
  expect_changed_nothing(quiet);
  EXPECT_EQ(testing::describe_difference(settled, dump()), "");

  // Unblocked: back with sonar-users and exactly what GitLab gives.
  sim_->control("users/unblock", {{"user_id", gitlab_id}});
  const Task on = full_sync();
  ASSERT_EQ(on.status, TaskStatus::kSuccess) << on.error_message.value_or("");
  EXPECT_EQ(on.counts.users_reactivated, 1);
  const User back = stored_gitlab_user(gitlab_id);
  EXPECT_TRUE(back.active);
  EXPECT_EQ(group_names_of(back), gitlab_groups);
  std::set<std::pair<std::optional<ProjectId>, std::string>> now;
  const auto grants_now = store_->user_grants(u.id);
  ASSERT_TRUE(grants_now);
  for (const PermissionGrant& g : *grants_now) now.emplace(g.project_id, g.permission);
  EXPECT_EQ(now, gitlab_grants);
  expect_matches_gitlab();
}

TEST_P(ManagedMeetsLocalTest, BotsAndServiceAccountsAreNeverProvisioned) {
  std::set<gl::Id> bots;
  for (const json& u : sim_->all("/api/v4/users")) {
    if (u.value("bot", false)) bots.insert(u["id"].get<gl::Id>());
  }
  ASSERT_GE(bots.size(), 2U);
  // Each bot a member of a group in scope, so only the bot rule keeps it out.
  const json sub = acme_subgroup();
  for (const gl::Id bot : bots) {
    sim_->control("members",
                  {{"source", "group"}, {"id", sub["id"]}, {"user_id", bot}, {"access_level", 30}});
  }
  bool service_account = false;
  for (const gl::Id bot : bots) {
    const std::string name = sim_->get("/api/v4/users/" + std::to_string(bot))["username"];
    service_account = service_account || name.rfind("service_account_", 0) == 0;
  }
  ASSERT_TRUE(service_account) << "world S has a service account";

  const Task t = full_sync();
  ASSERT_EQ(t.status, TaskStatus::kSuccess) << t.error_message.value_or("");
  for (const gl::Id bot : bots) {
    EXPECT_FALSE(store_->find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(bot)))
        << "bot " << bot << " was provisioned";
  }
  const std::string warning =
      std::to_string(bots.size()) + " bot users skipped: " + std::string(kBotsNotProvisioned);
  EXPECT_NE(std::find(t.warnings.begin(), t.warnings.end(), warning), t.warnings.end())
      << ::testing::PrintToString(t.warnings);

  // The event sync: a group's members re-read (the names decide), then the users named (their
  // bot flag decides). Same rule, same warning.
  for (const bool name_the_users : {false, true}) {
    SyncScope scope;
    scope.groups = {sub["id"].get<gl::Id>()};
    if (name_the_users) scope.users = bots;
    ASSERT_TRUE(store_->queue_event_scope(scope, "test", clock_.now(), 1'000));
    auto ran = service_->run_next();
    ASSERT_TRUE(ran && *ran);
    const Task e = **ran;
    ASSERT_EQ(e.status, TaskStatus::kSuccess) << e.error_message.value_or("");
    for (const gl::Id bot : bots) {
      EXPECT_FALSE(
          store_->find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(bot)));
    }
    const bool warned = std::any_of(e.warnings.begin(), e.warnings.end(), [](const auto& w) {
      return w.find(std::string("bot users skipped: ") + std::string(kBotsNotProvisioned)) !=
             std::string::npos;
    });
    EXPECT_TRUE(warned) << name_the_users << ": " << ::testing::PrintToString(e.warnings);
  }
}

}  // namespace
}  // namespace provisio::sync_test
