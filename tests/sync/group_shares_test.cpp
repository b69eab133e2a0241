// The shares of a group without members: a full sync over GraphQL does not read them (GraphQL
// shows that no invited group's member reaches the group, sync/group_shares_reader.hpp); when
// the invited group gains a member, the event sync learns the share from GitLab and grants what
// it gives, as REST's full read would have known it all along. On a hand-written world, the
// simulator in process.
#include <gtest/gtest.h>

#include <algorithm>

#include "in_process_transport.hpp"
#include "simulator.hpp"
#include "store/secret_box.hpp"
#include "store/store.hpp"
#include "sync/configuration.hpp"
#include "sync/projects.hpp"
#include "sync/sync_service.hpp"
#include "temp_dir.hpp"
#include "world_json.hpp"

namespace provisio {
namespace {

constexpr std::int64_t kNow = 1'790'000'000;  // 2026-09-21, Unix seconds

// acme (alice owns it) with acme/app and its project svc; team, outside acme and without
// members, is invited into acme/app as Developer.
constexpr const char* kWorld = R"({
 "users": [
  {"id":1,"username":"root","name":"Root","is_admin":true},
  {"id":2,"username":"alice","name":"Alice"}, {"id":3,"username":"bob","name":"Bob"}],
 "groups": [
  {"id":1,"path":"acme","name":"Acme"}, {"id":2,"path":"app","name":"App","parent_id":1},
  {"id":3,"path":"team","name":"Team"}],
 "projects": [{"id":1,"path":"svc","name":"Svc","namespace_id":2}],
 "group_members": [{"group_id":1,"members":[[2,50,null,null]]}],
 "group_shares": [{"shared_group_id":2,"invited_group_id":3,"group_access_level":30}],
 "tokens": [{"id":1,"token":"sim-admin-token","user_id":1,"scopes":["api"]}]
})";

class GroupShares : public ::testing::TestWithParam<sync::MembersApi> {
 protected:
  void SetUp() override {
    auto world = sim::parse_world(kWorld);
    ASSERT_TRUE(world) << world.error().message;
    sim::SimulatorOptions options;
    options.clock = [] { return kNow; };
    simulator_ = std::make_unique<sim::Simulator>(std::move(*world), options);
    router_ = simulator_->router();
    auto store =
        store::open_store(*store::parse_database_url("sqlite:" + (dir_.path() / "p.db").string()),
                          std::make_shared<store::SecretBox>(store::SecretBox::Key{4}));
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    ASSERT_TRUE(store_->migrate());
    sync::GitlabConfiguration config(*store_, clock_);
    sync::GitlabConfigPatch patch;
    patch.url = "https://gitlab.test";
    patch.secret = "oauth-secret";
    patch.application_id = "sim-client-id";
    patch.provisioning_type = ProvisioningType::kAutoProvisioning;
    patch.provisioning_token = "sim-admin-token";
    patch.allowed_groups = std::vector<std::string>{"acme"};
    ASSERT_TRUE(config.create_or_update(patch, "test"));
    ASSERT_TRUE(sync::create_project(*store_, "svc", "svc", Visibility::kPrivate, "test"));
    ASSERT_TRUE(sync::bind_project(*store_, clock_, "svc", "1", "test"));
    sync::SyncOptions o;
    o.members_api = GetParam();
    service_ = std::make_unique<sync::SyncService>(
        *store_, [this] { return std::make_unique<testing::InProcessTransport>(router_); }, clock_,
        o);
  }

  // Runs every queued task; returns them as they ended.
  std::vector<Task> run_all() {
    std::vector<Task> out;
    for (int i = 0; i < 20; ++i) {
      auto ran = service_->run_next();
      EXPECT_TRUE(ran) << ran.error().message;
      if (!ran || !*ran) break;
      EXPECT_EQ((*ran)->status, TaskStatus::kSuccess) << (*ran)->error_message.value_or("");
      out.push_back(**ran);
    }
    return out;
  }

  // The permissions of GitLab user `gitlab_id` on the project svc.
  std::vector<std::string> permissions_on_svc(const std::string& gitlab_id) {
    auto state = store_->load_state();
    EXPECT_TRUE(state);
    if (!state) return {};
    std::optional<UserId> user;
    for (const User& u : state->users) {
      if (u.external_id == gitlab_id && u.active) user = u.id;
    }
    std::optional<ProjectId> svc;
    for (const Project& p : state->projects) {
      if (p.key == "svc") svc = p.id;
    }
    std::vector<std::string> out;
    for (const PermissionGrant& g : state->permissions) {
      if (user && g.user_id == user && g.project_id == svc) out.push_back(g.permission);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::int64_t group_detail_reads() {
    return simulator_->counters().snapshot()["endpoints"].value("GET /api/v4/groups/{id}", 0);
  }

  testing::TempDir dir_;
  const ManualClock clock_{kNow * 1000};
  std::unique_ptr<sim::Simulator> simulator_;
  http::Router router_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<sync::SyncService> service_;
};

TEST_P(GroupShares, AShareOfAGroupWithoutMembersTakesEffectWhenItGainsOne) {
  // The first full sync and the binding's project sync; then a full sync alone, counted.
  (void)service_->request_full("test");
  (void)run_all();
  simulator_->counters().reset();
  ASSERT_TRUE(service_->request_full("test"));
  const std::vector<Task> full = run_all();
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full.front().type, TaskType::kGitlabAuthProvisioning);
  // Over REST the full sync reads acme, acme/app (its shares) and team (invited into it); over
  // GraphQL acme alone: nobody reaches acme/app through an invited group.
  EXPECT_EQ(group_detail_reads(), GetParam() == sync::MembersApi::kRest ? 3 : 1);
  EXPECT_TRUE(permissions_on_svc("3").empty());

  // bob joins team: GitLab's user_add_to_group event names the group and him.
  http::HttpRequest add;
  add.method = "POST";
  add.path = "/__control/members";
  add.headers["content-type"] = "application/json";
  add.body = R"({"source":"group","id":3,"user_id":3,"access_level":40})";
  ASSERT_EQ(router_.handle(add).status, 200);
  SyncScope scope;
  scope.group_members.insert({3, 3});
  ASSERT_TRUE(service_->request_scoped(scope, "gitlab-events"));
  const std::vector<Task> ran = run_all();
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran.front().type, TaskType::kGitlabEventProvisioning);

  // Developer through the share (capped at the share's Developer, below his Maintainer): the
  // default mapping's developer permissions (behaviour.md §1), as a full sync grants them.
  const std::vector<std::string> expected = {"codeviewer", "issueadmin", "scan",
                                             "securityhotspotadmin", "user"};
  EXPECT_EQ(permissions_on_svc("3"), expected);
  auto planned = service_->plan_full();
  ASSERT_TRUE(planned) << planned.error().message;
  EXPECT_EQ(planned->plan.counts.permissions_granted + planned->plan.counts.permissions_revoked +
                planned->plan.counts.memberships_added + planned->plan.counts.users_created,
            0);
}

INSTANTIATE_TEST_SUITE_P(Apis, GroupShares,
                         ::testing::Values(sync::MembersApi::kRest, sync::MembersApi::kGraphql),
                         [](const auto& info) {
                           return info.param == sync::MembersApi::kRest ? std::string("rest")
                                                                        : std::string("graphql");
                         });

}  // namespace
}  // namespace provisio
