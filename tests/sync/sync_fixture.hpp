#pragma once
// Whole syncs of world S over loopback: gitlab-sim as a child process, Provisio's sync service
// with the libcurl transport, on SQLite or on PostgreSQL (the test's parameter). The expected
// state is computed from the simulator's own /members/all answers, independently of Provisio's
// resolver. Used by sync_integration_test.cpp and fault_matrix_test.cpp.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "child_process.hpp"
#include "core/role_mapping.hpp"
#include "database_dump.hpp"
#include "gitlab/curl_transport.hpp"
#include "gitlab_sim_process.hpp"
#include "http_client.hpp"
#include "postgres_cluster.hpp"
#include "sync/configuration.hpp"
#include "sync/projects.hpp"
#include "sync/sync_service.hpp"
#include "temp_dir.hpp"

namespace provisio::sync_test {

using nlohmann::json;

// The simulator serving a fresh copy of world S.
class Sim : public testing::GitlabSimProcess {
 public:
  explicit Sim(const std::string& dir) : GitlabSimProcess(PROVISIO_GITLAB_SIM, dir) {}
};

struct Expected {
  std::set<gl::Id> users;                               // GitLab ids
  std::map<std::string, std::set<gl::Id>> memberships;  // group full path -> GitLab user ids
  std::map<gl::Id, std::map<gl::Id, std::set<std::string>>> permissions;  // project -> user
  std::map<gl::Id, std::string> visibility;  // bound project -> public|private
};

// Whether a /members/all row is a user the sync provisions: Guest or more, active, not a bot
// (GitLab's own `bot` flag, read from its users list: access-token users and service accounts).
inline bool provisioned_row(const json& m, const std::set<gl::Id>& bots) {
  return m["access_level"].get<int>() >= 10 && m["state"] == "active" &&
         bots.count(m["id"].get<gl::Id>()) == 0;
}

inline std::set<std::string> permissions_for(int level) {
  const char* names[] = {"owner", "maintainer", "developer", "reporter", "planner", "guest"};
  const int levels[] = {50, 40, 30, 20, 15, 10};
  for (int i = 0; i < 6; ++i) {
    if (levels[i] != level) continue;
    for (const RoleMapping& m : default_role_mappings()) {
      if (m.role != names[i]) continue;
      std::set<std::string> out;
      for (ProjectPermission p : m.permissions.list()) out.insert(std::string(to_string(p)));
      return out;
    }
  }
  return {};
}

// GitLab's bots (access-token users and service accounts), by its own flag on its users list.
inline std::set<gl::Id> gitlab_bots(Sim& sim) {
  std::set<gl::Id> bots;
  for (const json& u : sim.all("/api/v4/users")) {
    if (u.value("bot", false)) bots.insert(u["id"].get<gl::Id>());
  }
  return bots;
}

// What GitLab says the server should hold, from /members/all of every group and project.
inline Expected expected_from_gitlab(Sim& sim, const std::set<gl::Id>& bound) {
  Expected e;
  const std::set<gl::Id> bots = gitlab_bots(sim);
  const auto provisioned = [&](const json& m) { return provisioned_row(m, bots); };
  std::vector<json> groups;
  for (const char* root : {"acme", "umbrella"}) {
    groups.push_back(sim.get(std::string("/api/v4/groups/") + root + "?with_projects=false"));
    for (auto& g : sim.all(std::string("/api/v4/groups/") + root + "/descendant_groups")) {
      groups.push_back(g);
    }
  }
  for (const json& g : groups) {
    auto& members = e.memberships[g["full_path"].get<std::string>()];
    for (const json& m :
         sim.all("/api/v4/groups/" + std::to_string(g["id"].get<gl::Id>()) + "/members/all")) {
      if (!provisioned(m)) continue;
      members.insert(m["id"].get<gl::Id>());
      e.users.insert(m["id"].get<gl::Id>());
    }
  }
  for (const char* root : {"acme", "umbrella"}) {
    for (const json& p : sim.all(std::string("/api/v4/groups/") + root + "/projects",
                                 "include_subgroups=true&with_shared=false")) {
      const gl::Id id = p["id"];
      if (bound.count(id) != 0) {
        e.visibility[id] = p["visibility"] == "public" ? "public" : "private";
      }
      for (const json& m : sim.all("/api/v4/projects/" + std::to_string(id) + "/members/all")) {
        if (!provisioned(m)) continue;
        e.users.insert(m["id"].get<gl::Id>());
        if (bound.count(id) != 0) {
          // No custom role is mapped here, so a custom role falls back to its base level.
          const auto perms = permissions_for(m["access_level"].get<int>());
          if (!perms.empty()) e.permissions[id][m["id"].get<gl::Id>()] = perms;
        }
      }
    }
  }
  return e;
}

class SyncFixture : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<Sim>(dir_.path().string());
    url_ = "sqlite:" + (dir_.path() / "provisio.db").string();
    if (GetParam() == "postgresql") {
      if (testing::PostgresCluster::disabled()) GTEST_SKIP() << "PROVISIO_TEST_PG=0";
      static int n = 0;
      url_ = testing::PostgresCluster::shared()->create_database(
          "sync" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    }
    auto store = store::open_store(*store::parse_database_url(url_),
                                   std::make_shared<store::SecretBox>(store::SecretBox::Key{4}));
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    ASSERT_TRUE(store_->migrate());
    sync::SyncOptions options;
    options.node_id = "test-node";
    options.engine.backoff_base_ms = 10;
    tune(options);
    service_ = std::make_unique<sync::SyncService>(
        *store_, [] { return std::make_unique<gitlab::CurlTransport>(); }, clock_, options);
    configure({"acme", "umbrella"});
    // Bind three projects of acme.
    int n = 0;
    for (const json& p :
         sim_->all("/api/v4/groups/acme/projects", "include_subgroups=true&with_shared=false")) {
      if (n == 3) break;
      const std::string key = "p" + std::to_string(n++);
      ASSERT_TRUE(sync::create_project(*store_, key, key, Visibility::kPublic, "test"));
      ASSERT_TRUE(
          sync::bind_project(*store_, clock_, key, std::to_string(p["id"].get<gl::Id>()), "test"));
      bound_[p["id"].get<gl::Id>()] = key;
    }
  }

  // A test's own sync options, over the fixture's.
  virtual void tune(sync::SyncOptions& /*options*/) {}

  // Every row of the database but the task records, whose rows record the runs themselves.
  testing::DatabaseDump dump() { return testing::dump_database(url_, {"tasks"}); }
  // The same without other tables too.
  testing::DatabaseDump dump_without(std::set<std::string> tables) {
    tables.insert("tasks");
    return testing::dump_database(url_, tables);
  }

  void configure(std::vector<std::string> groups) {
    sync::GitlabConfiguration config(*store_, clock_);
    ASSERT_TRUE(config.create_or_update(sim_->automatic_provisioning(std::move(groups)), "test"));
  }

  // A run that found nothing to change: its counts are zero but for its requests and time, and
  // for what it covered (a full sync's totals).
  static void expect_changed_nothing(const Task& t) {
    SyncCounts zero;
    zero.gitlab_requests = t.counts.gitlab_requests;
    zero.duration_ms = t.counts.duration_ms;
    zero.totals = t.counts.totals;
    EXPECT_EQ(t.counts, zero);
  }

  // Runs queued tasks until a full sync has run, then the rest of the queue (the syncs of the
  // projects bound at set-up), so that the next call runs its full sync alone; returns the full
  // sync.
  Task full_sync() {
    (void)service_->request_full("test");
    std::optional<Task> full;
    for (int i = 0; i < 20; ++i) {
      auto ran = service_->run_next();
      EXPECT_TRUE(ran);
      if (!ran || !*ran) break;
      if (!full && (*ran)->type == TaskType::kGitlabAuthProvisioning) full = **ran;
    }
    if (!full) ADD_FAILURE() << "no full sync ran";
    return full.value_or(Task{});
  }

  void expect_matches_gitlab() {
    std::set<gl::Id> bound_ids;
    for (const auto& [id, key] : bound_) bound_ids.insert(id);
    const Expected e = expected_from_gitlab(*sim_, bound_ids);
    auto state = store_->load_state();
    ASSERT_TRUE(state);
    std::map<UserId, gl::Id> gitlab_id;
    std::set<gl::Id> active_managed;
    for (const User& u : state->users) {
      if (u.external_id) gitlab_id[u.id] = std::stoll(*u.external_id);
      if (u.managed && u.active) active_managed.insert(std::stoll(*u.external_id));
    }
    EXPECT_EQ(active_managed, e.users);
    std::map<GroupId, std::string> managed_groups;
    for (const Group& g : state->groups) {
      if (g.managed) managed_groups[g.id] = g.name;
    }
    std::map<std::string, std::set<gl::Id>> memberships;
    for (const auto& [id, name] : managed_groups) memberships[name];
    for (const Membership& m : state->memberships) {
      // Local users (no GitLab id) may stay in a mirrored group: only GitLab's are compared.
      if (managed_groups.count(m.group_id) != 0 && gitlab_id.count(m.user_id) != 0) {
        memberships[managed_groups[m.group_id]].insert(gitlab_id.at(m.user_id));
      }
    }
    EXPECT_EQ(memberships, e.memberships);
    std::map<gl::Id, std::map<gl::Id, std::set<std::string>>> permissions;
    std::map<ProjectId, gl::Id> project_gitlab_id;
    for (const Project& p : state->projects) {
      if (p.gitlab_project_id) {
        project_gitlab_id[p.id] = *p.gitlab_project_id;
        EXPECT_EQ(std::string(to_string(p.visibility)), e.visibility.at(*p.gitlab_project_id))
            << p.key;
      }
    }
    for (const PermissionGrant& g : state->permissions) {
      if (g.project_id && g.user_id && project_gitlab_id.count(*g.project_id) != 0) {
        permissions[project_gitlab_id[*g.project_id]][gitlab_id.at(*g.user_id)].insert(
            g.permission);
      }
    }
    EXPECT_EQ(permissions, e.permissions);
  }

  std::int64_t audit_rows() { return store_->list_audit({.page_size = 1})->total; }

  testing::TempDir dir_;
  std::string url_;  // the store's database URL
  std::unique_ptr<Sim> sim_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<sync::SyncService> service_;
  std::map<gl::Id, std::string> bound_;
};

}  // namespace provisio::sync_test
