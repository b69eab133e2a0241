// Whole syncs of world S over loopback (sync_fixture.hpp): a first sync, each kind of change in
// GitLab followed by a resync, a failing endpoint, the mass-deactivation guard and its confirmation
// (refused once the plan is out of date), a role mapping changed and a custom role deleted, and a
// user who leaves every group. "Nothing else was written" is checked with a full database dump.
#include <algorithm>
#include <iterator>
#include <tuple>

#include "sync_fixture.hpp"

namespace provisio::sync_test {
namespace {

class SyncIntegrationTest : public SyncFixture {};

INSTANTIATE_TEST_SUITE_P(Backends, SyncIntegrationTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST_P(SyncIntegrationTest, AFullSyncOfWorldSGivesWhatGitlabSays) {
  const Task t = full_sync();
  ASSERT_EQ(t.status, TaskStatus::kSuccess) << t.error_message.value_or("");
  EXPECT_GT(t.counts.users_created, 100);
  EXPECT_GT(t.counts.groups_created, 10);
  EXPECT_GT(t.counts.gitlab_requests, 0);
  EXPECT_FALSE(t.info_messages.empty());
  expect_matches_gitlab();

  // Nothing changed in GitLab: nothing is written but the task record.
  const auto before = dump();
  const Task again = full_sync();
  ASSERT_EQ(again.status, TaskStatus::kSuccess);
  expect_changed_nothing(again);
  EXPECT_EQ(testing::describe_difference(before, dump()), "");
  // What both runs covered, as the server's rows show it: every managed user active, every
  // mirrored group, every bound project (all bound here are in the allowed groups).
  const auto state = store_->load_state();
  ASSERT_TRUE(state);
  std::int64_t users = 0, groups = 0;
  for (const User& u : state->users) users += u.managed && u.active ? 1 : 0;
  for (const Group& g : state->groups) groups += g.managed ? 1 : 0;
  const SyncTotals covered{users, groups, static_cast<std::int64_t>(bound_.size())};
  EXPECT_EQ(t.counts.totals, covered);
  EXPECT_EQ(again.counts.totals, covered);
}

TEST_P(SyncIntegrationTest, AfterEachChangeInGitlabAResyncFollows) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  const json some_group = sim_->all("/api/v4/groups/acme/descendant_groups").at(0);
  const gl::Id group_id = some_group["id"];
  const json members = sim_->get("/api/v4/groups/" + std::to_string(group_id) + "/members");
  ASSERT_FALSE(members.empty());
  const json first_member = members[0]["id"];
  const gl::Id bound_project = bound_.begin()->first;
  const std::vector<std::pair<std::string, json>> changes = {
      {"members", {{"source", "group"}, {"id", group_id}, {"user_id", 4}, {"access_level", 40}}},
      {"members/remove", {{"source", "group"}, {"id", group_id}, {"user_id", first_member}}},
      {"members",
       {{"source", "project"}, {"id", bound_project}, {"user_id", 7}, {"access_level", 50}}},
      {"groups/rename", {{"id", group_id}, {"path", "renamed-team"}, {"name", "Renamed team"}}},
      {"visibility", {{"source", "project"}, {"id", bound_project}, {"visibility", "private"}}},
      {"users/block", {{"user_id", 5}}},
  };
  for (const auto& [what, body] : changes) {
    sim_->control(what, body);
    const Task t = full_sync();
    ASSERT_EQ(t.status, TaskStatus::kSuccess) << what << ": " << t.error_message.value_or("");
    if (what == "groups/rename") {
      EXPECT_EQ(t.counts.groups_renamed, 1);
    }
    SCOPED_TRACE("after " + what);
    expect_matches_gitlab();
  }
}

TEST_P(SyncIntegrationTest, AnEndpointThatAlwaysFailsFailsTheRunAndChangesNothing) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  sim_->control("members",
                {{"source", "group"}, {"id", "acme"}, {"user_id", 6}, {"access_level", 50}});
  sim_->control("faults", {{"fail_paths", {"/api/v4/projects/*/members"}}});
  const auto before = dump();
  const Task t = full_sync();
  EXPECT_EQ(t.status, TaskStatus::kFailed);
  ASSERT_TRUE(t.error_message);
  EXPECT_NE(t.error_message->find("/members"), std::string::npos) << *t.error_message;
  EXPECT_NE(t.error_message->find("nothing was changed"), std::string::npos);
  EXPECT_EQ(testing::describe_difference(before, dump()), "");
}

TEST_P(SyncIntegrationTest, TheGuardHoldsBackAMassDeactivationUntilConfirmed) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  configure({"umbrella"});  // most users are only in acme
  const auto before = store_->load_state();
  const auto before_rows = dump_without({"held_plans"});
  const Task held = full_sync();
  EXPECT_EQ(held.status, TaskStatus::kFailed);
  EXPECT_TRUE(held.held);
  ASSERT_TRUE(held.error_message);
  EXPECT_NE(held.error_message->find("deactivate"), std::string::npos);
  // Nothing written but the run's record and the plan kept for confirmation.
  EXPECT_EQ(testing::describe_difference(before_rows, dump_without({"held_plans"})), "");
  auto plan = store_->load_held_plan(held.id);
  ASSERT_TRUE(plan) << plan.error().message;
  std::set<UserId> deactivated;
  for (const User& u : plan->users_to_update) {
    if (!u.active) deactivated.insert(u.id);
  }
  ASSERT_EQ(static_cast<std::int64_t>(deactivated.size()), held.counts.users_deactivated);
  ASSERT_GT(deactivated.size(), 10u);

  // Confirmed: exactly that plan is applied, one audit row per change of it.
  auto confirmed = service_->confirm(held.id, "admin");
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->status, TaskStatus::kSuccess);
  EXPECT_EQ(confirmed->counts.users_deactivated, held.counts.users_deactivated);
  store::AuditQuery of_confirmed;
  of_confirmed.task_id = confirmed->id;
  of_confirmed.page_size = 1;
  EXPECT_EQ(static_cast<std::size_t>(store_->list_audit(of_confirmed)->total),
            plan->audit.size() + plan->memberships_to_add.size() +
                plan->memberships_to_remove.size() + plan->permissions_to_grant.size() +
                plan->permissions_to_revoke.size());
  const auto after = store_->load_state();
  for (const User& u : after->users) {
    const auto was = std::find_if(before->users.begin(), before->users.end(),
                                  [&](const User& b) { return b.id == u.id; });
    ASSERT_NE(was, before->users.end()) << u.login << " was created";
    EXPECT_EQ(u.active, was->active && deactivated.count(u.id) == 0) << u.login;
  }
  EXPECT_EQ(store_->load_held_plan(held.id).error().code, ErrorCode::kNotFound);
}

TEST_P(SyncIntegrationTest, AHeldPlanThatAnotherRunOvertookIsRefused) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  configure({"umbrella"});
  const Task held = full_sync();
  ASSERT_TRUE(held.held);
  // GitLab (here: the allowlist) is put right, and the next run succeeds.
  configure({"acme", "umbrella"});
  const Task next = full_sync();
  ASSERT_EQ(next.status, TaskStatus::kSuccess) << next.error_message.value_or("");
  const auto before = dump();
  const auto refused = service_->confirm(held.id, "admin");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.error().message,
            "The plan held back by task " + std::to_string(held.id) + " is out of date: task " +
                std::to_string(next.id) +
                " has synchronized since. Nothing was applied; if the guard holds the next "
                "synchronization back too, confirm its plan.");
  EXPECT_EQ(testing::describe_difference(before, dump()), "");
  expect_matches_gitlab();

  // A plan held back again supersedes the first one: only the newer one can be confirmed.
  configure({"umbrella"});
  const Task held_again = full_sync();
  ASSERT_TRUE(held_again.held);
  const auto older = service_->confirm(held.id, "admin");
  ASSERT_FALSE(older);
  EXPECT_NE(older.error().message.find("task " + std::to_string(held_again.id) +
                                       " computed a newer plan"),
            std::string::npos)
      << older.error().message;
  auto confirmed = service_->confirm(held_again.id, "admin");
  ASSERT_TRUE(confirmed) << confirmed.error().message;
  EXPECT_EQ(confirmed->status, TaskStatus::kSuccess);
}

// Every grant of a user on a bound project, by GitLab ids: (project, user, permission).
using Grants = std::set<std::tuple<gl::Id, gl::Id, std::string>>;

Grants bound_grants(store::Store& store) {
  auto state = store.load_state();
  EXPECT_TRUE(state);
  std::map<UserId, gl::Id> user;
  for (const User& u : state->users) {
    if (u.external_id) user[u.id] = std::stoll(*u.external_id);
  }
  std::map<ProjectId, gl::Id> project;
  for (const Project& p : state->projects) {
    if (p.gitlab_project_id) project[p.id] = *p.gitlab_project_id;
  }
  Grants out;
  for (const PermissionGrant& g : state->permissions) {
    if (g.project_id && g.user_id && project.count(*g.project_id) && user.count(*g.user_id)) {
      out.emplace(project[*g.project_id], user[*g.user_id], g.permission);
    }
  }
  return out;
}

Grants minus(const Grants& a, const Grants& b) {
  Grants out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

TEST_P(SyncIntegrationTest, AMappingChangeOrACustomRoleDeletionChangesExactlyTheAffectedGrants) {
  // A member of a bound project through the custom role "Security Auditor" (base Reporter),
  // which is mapped here to one permission more than Reporter's.
  const gl::Id project = bound_.begin()->first;
  const std::string members = "/api/v4/projects/" + std::to_string(project) + "/members/all";
  std::set<gl::Id> in_project;
  for (const json& m : sim_->all(members)) in_project.insert(m["id"].get<gl::Id>());
  gl::Id auditor = 0;
  const std::set<gl::Id> bots = gitlab_bots(*sim_);
  // (A user of umbrella: every member of acme reaches the project of acme already.)
  for (const json& m : sim_->all("/api/v4/groups/umbrella/members/all")) {
    if (provisioned_row(m, bots) && in_project.count(m["id"].get<gl::Id>()) == 0) {
      auditor = m["id"];
      break;
    }
  }
  ASSERT_NE(auditor, 0);
  sim_->control("members", {{"source", "project"},
                            {"id", project},
                            {"user_id", auditor},
                            {"access_level", 20},
                            {"member_role_id", 1}});
  RoleMapping custom{"Security Auditor", {}};
  custom.permissions.user = custom.permissions.code_viewer = custom.permissions.issue_admin = true;
  ASSERT_TRUE(store_->save_role_mapping(custom));
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  const Grants first = bound_grants(*store_);
  ASSERT_EQ(first.count({project, auditor, "issueadmin"}), 1u);

  // What GitLab says of each member of the bound projects: level and custom role.
  const auto expected_loss = [&](const auto& affected, const std::string& permission) {
    Grants out;
    for (const auto& [id, key] : bound_) {
      for (const json& m : sim_->all("/api/v4/projects/" + std::to_string(id) + "/members/all")) {
        if (provisioned_row(m, bots) && affected(m))
          out.emplace(id, m["id"].get<gl::Id>(), permission);
      }
    }
    return out;
  };
  // Only the permissions of the bound projects may change, with their audit rows.
  const auto unchanged = [&] {
    return dump_without({"permissions", "audit_log", "role_mappings"});
  };

  // Developer loses Execute Analysis: every Developer of a bound project loses `scan`, nothing
  // else changes.
  const auto rows = unchanged();
  const std::int64_t audit = audit_rows();
  auto mappings = store_->role_mappings();
  ASSERT_TRUE(mappings);
  for (RoleMapping m : *mappings) {
    if (m.role != "developer") continue;
    ASSERT_TRUE(m.permissions.scan);
    m.permissions.scan = false;
    ASSERT_TRUE(store_->save_role_mapping(m));
  }
  const Task remapped = full_sync();
  ASSERT_EQ(remapped.status, TaskStatus::kSuccess) << remapped.error_message.value_or("");
  const Grants second = bound_grants(*store_);
  const Grants developers_scan =
      expected_loss([](const json& m) { return m["access_level"] == 30; }, "scan");
  ASSERT_FALSE(developers_scan.empty());
  EXPECT_EQ(minus(first, second), developers_scan);
  EXPECT_EQ(minus(second, first), Grants{});
  EXPECT_EQ(remapped.counts.permissions_revoked, static_cast<std::int64_t>(developers_scan.size()));
  EXPECT_EQ(audit_rows() - audit, static_cast<std::int64_t>(developers_scan.size()));
  EXPECT_EQ(testing::describe_difference(rows, unchanged()), "");

  // The custom role's mapping deleted: its holders fall back to Reporter's permissions and lose
  // Administer Issues, nobody else changes.
  ASSERT_TRUE(store_->delete_role_mapping("Security Auditor"));
  const Task unmapped = full_sync();
  ASSERT_EQ(unmapped.status, TaskStatus::kSuccess) << unmapped.error_message.value_or("");
  const Grants third = bound_grants(*store_);
  const Grants auditors_issueadmin = expected_loss(
      [](const json& m) {
        return m.contains("member_role") && m["member_role"]["name"] == "Security Auditor";
      },
      "issueadmin");
  EXPECT_EQ(auditors_issueadmin.count({project, auditor, "issueadmin"}), 1u);
  EXPECT_EQ(minus(second, third), auditors_issueadmin);
  EXPECT_EQ(minus(third, second), Grants{});
  EXPECT_EQ(testing::describe_difference(rows, unchanged()), "");
}

TEST_P(SyncIntegrationTest,
       AUserWhoLeavesEveryGroupLosesTheMembershipsAndPermissionsOfTheSyncAndEverySessionAndToken) {
  ASSERT_EQ(full_sync().status, TaskStatus::kSuccess);
  // A provisioned user with permissions on a bound project, who reaches the allowed groups only
  // through memberships of their own (not through a group invited from outside).
  std::set<gl::Id> outside;
  std::vector<json> outside_groups = sim_->all("/api/v4/groups/outside/descendant_groups");
  outside_groups.push_back(sim_->get("/api/v4/groups/outside?with_projects=false"));
  for (const json& g : outside_groups) {
    for (const json& m :
         sim_->all("/api/v4/groups/" + std::to_string(g["id"].get<gl::Id>()) + "/members/all")) {
      outside.insert(m["id"].get<gl::Id>());
    }
  }
  // Nor a project's only administrator, whose departure the guard would hold back.
  std::map<gl::Id, std::set<std::string>> held;
  for (const auto& [project, user, permission] : bound_grants(*store_)) {
    held[user].insert(permission);
  }
  std::optional<gl::Id> leaver;
  for (const auto& [user, permissions] : held) {
    if (outside.count(user) == 0 && permissions.count("admin") == 0) {
      leaver = user;
      break;
    }
  }
  ASSERT_TRUE(leaver);
  auto user = store_->find_user_by_external_id(ExternalProvider::kGitlab, std::to_string(*leaver));
  ASSERT_TRUE(user);
  // A way in: a session and a token.
  ASSERT_TRUE(store_->create_session(
      {"session-hash-of-leaver", user->id, "csrf", clock_.now(), clock_.now() + 3'600'000}));
  ASSERT_TRUE(store_->create_user_token({0, user->id, "ci", "token-hash-of-leaver", clock_.now()}));

  // In GitLab they leave every group and project of acme and umbrella they belong to.
  for (const char* root : {"acme", "umbrella"}) {
    std::vector<json> groups =
        sim_->all(std::string("/api/v4/groups/") + root + "/descendant_groups");
    groups.push_back(sim_->get(std::string("/api/v4/groups/") + root + "?with_projects=false"));
    for (const json& g : groups) {
      const std::string id = std::to_string(g["id"].get<gl::Id>());
      for (const json& m : sim_->all("/api/v4/groups/" + id + "/members")) {
        if (m["id"] == *leaver) {
          sim_->control("members/remove",
                        {{"source", "group"}, {"id", g["id"]}, {"user_id", *leaver}});
        }
      }
    }
    for (const json& p : sim_->all(std::string("/api/v4/groups/") + root + "/projects",
                                   "include_subgroups=true&with_shared=false")) {
      const std::string id = std::to_string(p["id"].get<gl::Id>());
      for (const json& m : sim_->all("/api/v4/projects/" + id + "/members")) {
        if (m["id"] == *leaver) {
          sim_->control("members/remove",
                        {{"source", "project"}, {"id", p["id"]}, {"user_id", *leaver}});
        }
      }
    }
  }

  const Task t = full_sync();
  ASSERT_EQ(t.status, TaskStatus::kSuccess) << t.error_message.value_or("");
  EXPECT_EQ(t.counts.users_deactivated, 1);
  auto after = store_->get_user(user->id);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->active);
  // No mirrored group, no permission on a bound project, no session, no token. (What else a
  // deactivation takes, local groups, sonar-users and global permissions, is issue 19's.)
  const auto groups = store_->user_groups(user->id);
  ASSERT_TRUE(groups);
  for (const GroupId g : *groups) {
    EXPECT_FALSE(store_->get_group(g)->managed) << store_->get_group(g)->name;
  }
  for (const auto& [project, who, permission] : bound_grants(*store_)) {
    EXPECT_NE(who, *leaver) << project << " " << permission;
  }
  EXPECT_EQ(store_->list_user_tokens(user->id)->size(), 0u);
  EXPECT_EQ(store_->find_session("session-hash-of-leaver", clock_.now()).error().code,
            ErrorCode::kNotFound);
  expect_matches_gitlab();
}

}  // namespace
}  // namespace provisio::sync_test
