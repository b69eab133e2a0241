// The snapshot read with member lists over GraphQL equals the snapshot read over REST, field for
// field, on the reference worlds S and M, as generated (a custom role in use: GraphQL cannot say
// who holds it, so the lists with a member at its base level go over REST) and without custom
// roles (GraphQL answers every list). The GraphQL read costs far fewer requests. And a whole
// sync of S over either gives the same `provisio export`.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "app/export_json.hpp"
#include "generator.hpp"
#include "gitlab/client.hpp"
#include "gitlab/graphql_members.hpp"
#include "in_process_transport.hpp"
#include "simulator.hpp"
#include "store/secret_box.hpp"
#include "store/store.hpp"
#include "sync/configuration.hpp"
#include "sync/projects.hpp"
#include "sync/snapshot_reader.hpp"
#include "sync/sync_service.hpp"
#include "temp_dir.hpp"
#include "world_variants.hpp"

namespace provisio {
namespace {

constexpr std::int64_t kNow = 1'790'000'000;  // 2026-09-21, Unix seconds
const gl::Date kToday = "2026-09-21";

sim::World world_of(const std::string& preset, bool roles) {
  auto world = sim::generate_world(*sim::preset(preset));
  EXPECT_TRUE(world);
  if (roles) return std::move(*world);
  auto plain = sim::without_custom_roles(*world);
  EXPECT_TRUE(plain) << (plain ? "" : plain.error().message);
  return std::move(*plain);
}

struct Read {
  Snapshot snapshot;
  std::optional<Error> error;  // when the read failed
  std::int64_t requests = 0;
  nlohmann::json counters;  // the simulator's
};

Read read(sim::World world, sync::MembersApi api, const std::string& token = "sim-admin-token",
          const sim::FaultConfig& faults = {}) {
  sim::SimulatorOptions options;
  options.clock = [] { return kNow; };
  options.faults = faults;
  sim::Simulator simulator(std::move(world), options);
  const http::Router router = simulator.router();
  testing::InProcessTransport transport(router);
  SeededRandom random(1);
  gitlab::ClientOptions o;
  o.base_url = "https://gitlab.test";
  o.token = token;
  gitlab::Client client(o, transport, random);
  auto snapshot = sync::read_snapshot(client, {"acme", "umbrella"}, kToday, nullptr, api);
  Read out;
  if (snapshot) {
    out.snapshot = std::move(*snapshot);
  } else {
    out.error = snapshot.error();
  }
  out.requests = transport.requests();
  out.counters = simulator.counters().snapshot();
  return out;
}

std::string describe(const gl::Member& m) {
  std::string role = m.member_role ? std::to_string(m.member_role->id) + ":" + m.member_role->name +
                                         ":" + std::to_string(m.member_role->base_access_level)
                                   : "-";
  return std::to_string(m.user_id) + " " + m.username + " '" + m.name + "' " + m.state + " " +
         std::to_string(m.access_level) + " " + m.expires_at.value_or("-") + " " + role + " " +
         m.email.value_or("(no email)") + " " + m.membership_state;
}

void expect_same_members(const std::map<gl::Id, std::vector<gl::Member>>& rest,
                         const std::map<gl::Id, std::vector<gl::Member>>& graphql,
                         const char* what) {
  ASSERT_EQ(rest.size(), graphql.size()) << what;
  std::size_t compared = 0;
  for (const auto& [id, members] : rest) {
    const auto it = graphql.find(id);
    ASSERT_NE(it, graphql.end()) << what << " " << id;
    ASSERT_EQ(members.size(), it->second.size()) << what << " " << id;
    for (std::size_t i = 0; i < members.size(); ++i) {
      ASSERT_EQ(describe(members[i]), describe(it->second[i])) << what << " " << id;
      ++compared;
    }
  }
  EXPECT_GT(compared, 0u) << what;
}

// True when a group share of `invited` gives nobody access (read from REST's snapshot): only the
// invited group's direct members count for it, and none of them does, each at Minimal Access
// (5) or with a membership that has ended.
bool no_member_counts(const Snapshot& rest, gl::Id invited) {
  const auto list = rest.group_members.find(invited);
  if (list == rest.group_members.end()) return false;  // REST reads every invited group's list
  return std::all_of(list->second.begin(), list->second.end(), [&](const gl::Member& m) {
    return m.access_level == 5 || (m.expires_at && *m.expires_at <= rest.today);
  });
}
bool grants_nothing(const Snapshot& rest, const gl::Share& share) {
  return (share.expires_at && *share.expires_at <= rest.today) ||
         no_member_counts(rest, share.group_id);
}

// Equal, but for what a GraphQL read leaves out by design (sync/group_shares_reader.hpp): the
// shares into a group no invited group's member reaches (each must grant nothing), and the
// groups from outside invited only by such shares (never read, so their empty lists neither).
// Returns how many shares were left out.
int expect_same_snapshot(const Snapshot& rest, const Snapshot& graphql) {
  EXPECT_EQ(rest.roots, graphql.roots);
  EXPECT_EQ(rest.groups_in_scope, graphql.groups_in_scope);
  int left_out = 0;
  std::map<gl::Id, std::vector<gl::Member>> rest_group_members = rest.group_members;
  for (const auto& [id, g] : rest.groups) {
    const auto o = graphql.groups.find(id);
    if (o == graphql.groups.end()) {
      EXPECT_FALSE(rest.in_scope(id)) << g.full_path;
      EXPECT_TRUE(no_member_counts(rest, id)) << g.full_path;
      rest_group_members.erase(id);
      continue;
    }
    EXPECT_EQ(g.full_path, o->second.full_path);
    EXPECT_EQ(g.name, o->second.name) << g.full_path;
    EXPECT_EQ(g.path, o->second.path) << g.full_path;
    EXPECT_EQ(g.parent_id, o->second.parent_id) << g.full_path;
    EXPECT_EQ(g.visibility, o->second.visibility) << g.full_path;
    // A group from outside is read over GraphQL without its shares, which never count: sharing
    // is not transitive (sync/snapshot_reader.cpp, describe_outside).
    if (!rest.in_scope(id)) {
      EXPECT_TRUE(o->second.shared_with_groups.empty()) << g.full_path;
      continue;
    }
    if (g.shared_with_groups.size() == o->second.shared_with_groups.size()) continue;
    EXPECT_TRUE(o->second.shared_with_groups.empty()) << g.full_path;
    for (const gl::Share& share : g.shared_with_groups) {
      EXPECT_TRUE(grants_nothing(rest, share)) << g.full_path << " <- " << share.group_full_path;
      ++left_out;
    }
  }
  EXPECT_EQ(graphql.groups.size() + (rest.group_members.size() - rest_group_members.size()),
            rest.groups.size());
  EXPECT_EQ(rest.projects.size(), graphql.projects.size());
  expect_same_members(rest_group_members, graphql.group_members, "group");
  expect_same_members(rest.project_members, graphql.project_members, "project");
  EXPECT_EQ(rest.users.size(), graphql.users.size());
  EXPECT_EQ(rest.today, graphql.today);
  return left_out;
}

class Differential : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(Differential, GraphqlReadsTheSameSnapshotAsRest) {
  const auto& [preset, roles] = GetParam();
  const Read rest = read(world_of(preset, roles), sync::MembersApi::kRest);
  const Read graphql = read(world_of(preset, roles), sync::MembersApi::kGraphql);
  ASSERT_FALSE(rest.error) << rest.error->message;
  ASSERT_FALSE(graphql.error) << graphql.error->message;
  EXPECT_EQ(rest.snapshot.members_read_by, "REST");
  EXPECT_EQ(graphql.snapshot.members_read_by.rfind("GraphQL for ", 0), 0u)
      << graphql.snapshot.members_read_by;
  const int shares_left_out = expect_same_snapshot(rest.snapshot, graphql.snapshot);
  // The groups from outside are described over GraphQL, 100 a request, not by one
  // GET /groups/:id each (which would have told their shares).
  int outside = 0;
  for (const auto& [id, g] : graphql.snapshot.groups) {
    if (graphql.snapshot.in_scope(id)) continue;
    ++outside;
    EXPECT_FALSE(g.shares_known) << g.full_path << " was read with GET /groups/:id";
  }
  EXPECT_GT(outside, 0);
  // Never more requests than REST; without custom roles, far fewer (a quarter at most). The
  // shares are read with GET /groups/:id only where an invited group's member reaches a group.
  EXPECT_LT(graphql.requests, rest.requests);
  if (!roles) {
    EXPECT_LE(graphql.requests * 4, rest.requests);
  }
  const auto details = [](const Read& r) {
    return r.counters["endpoints"].value("GET /api/v4/groups/{id}", 0);
  };
  EXPECT_LT(details(graphql) * 2, details(rest)) << graphql.snapshot.shares_read_by;
  EXPECT_EQ(graphql.snapshot.shares_read_by.rfind("GraphQL found no invited group's member in ", 0),
            0u)
      << graphql.snapshot.shares_read_by;
  EXPECT_EQ(graphql.counters["graphql"]["refused_for_complexity"], 0);
  RecordProperty("rest_requests", static_cast<int>(rest.requests));
  RecordProperty("graphql_requests", static_cast<int>(graphql.requests));
  std::cout << preset << (roles ? " (custom roles)" : " (no custom roles)") << ": REST "
            << rest.requests << " requests, GraphQL " << graphql.requests << " ("
            << graphql.snapshot.members_read_by << "; " << graphql.snapshot.shares_read_by << "; "
            << shares_left_out << " shares that grant nothing left out; GET /groups/:id "
            << details(rest) << " -> " << details(graphql) << ")\n";
}

INSTANTIATE_TEST_SUITE_P(Worlds, Differential,
                         ::testing::Combine(::testing::Values("S", "M"), ::testing::Bool()),
                         [](const auto& info) {
                           return std::get<0>(info.param) + (std::get<1>(info.param)
                                                                 ? "_with_custom_roles"
                                                                 : "_without_custom_roles");
                         });

// A group owner's token (not an administrator): no email in REST's member rows, and no pending
// members of roots it does not own: their lists go over REST. Whatever REST makes of it (the
// owner may not see the groups invited from `outside`), GraphQL makes the same.
TEST(DifferentialOwner, AnOwnersTokenReadsTheSameSnapshot) {
  for (const bool roles : {true, false}) {
    const Read rest = read(world_of("S", roles), sync::MembersApi::kRest, "sim-owner-token");
    const Read graphql = read(world_of("S", roles), sync::MembersApi::kGraphql, "sim-owner-token");
    // GitLab lists in shared_with_groups only the invited groups the token's user may read, so
    // an owner reads every group it is told of (S invites private groups from outside).
    ASSERT_FALSE(rest.error) << rest.error->message;
    ASSERT_FALSE(graphql.error) << graphql.error->message;
    // Not an administrator: GitLab may hide invited groups' rows from it, so every group's
    // shares are read, none left out.
    EXPECT_EQ(graphql.snapshot.shares_read_by,
              "REST (the token's user is no GitLab administrator)");
    EXPECT_EQ(expect_same_snapshot(rest.snapshot, graphql.snapshot), 0);
    EXPECT_LT(graphql.requests, rest.requests);
  }
}

// A GitLab without a GraphQL API (404 on /api/graphql), or one that refuses the token there
// (401, 403): the shares and member lists go over REST, the snapshot is REST's, the log says why.
class Fallback : public ::testing::TestWithParam<std::string> {};

TEST_P(Fallback, NoGraphqlApiMeansRest) {
  sim::FaultConfig faults;
  faults.fail_paths = {"/api/graphql"};
  faults.fail_kind = GetParam();
  const Read rest = read(world_of("S", false), sync::MembersApi::kRest);
  const Read fallback =
      read(world_of("S", false), sync::MembersApi::kGraphql, "sim-admin-token", faults);
  ASSERT_FALSE(fallback.error) << fallback.error->message;
  EXPECT_EQ(fallback.snapshot.members_read_by.rfind("REST (GraphQL could not be used: ", 0), 0u)
      << fallback.snapshot.members_read_by;
  EXPECT_EQ(fallback.snapshot.shares_read_by.rfind("REST (GraphQL could not be used: ", 0), 0u)
      << fallback.snapshot.shares_read_by;
  EXPECT_EQ(expect_same_snapshot(rest.snapshot, fallback.snapshot), 0);
  // Who the token's user is (GET /user: an administrator?), one refused GraphQL request, then
  // REST's requests.
  EXPECT_EQ(fallback.requests, rest.requests + 2);
}

INSTANTIATE_TEST_SUITE_P(Refusals, Fallback, ::testing::Values("404", "401", "403"),
                         [](const auto& info) { return "status_" + info.param; });

// A batch GitLab refuses for its complexity is split and sent again until every list is read:
// here Provisio believes it may spend 2,000 a request and GitLab (a group owner's 250) refuses.
TEST(Complexity, RefusedQueriesAreSplitNeverFailed) {
  sim::SimulatorOptions options;
  options.clock = [] { return kNow; };
  sim::Simulator simulator(world_of("S", false), options);
  const http::Router router = simulator.router();
  testing::InProcessTransport transport(router);
  SeededRandom random(1);
  gitlab::ClientOptions o;
  o.base_url = "https://gitlab.test";
  o.token = "sim-owner-token";
  gitlab::Client client(o, transport, random);
  std::vector<gl::Id> groups, projects;
  simulator.read_world([&](const sim::World& w) {
    for (const auto& [id, g] : w.groups()) {
      if (g.full_path.rfind("acme", 0) == 0) groups.push_back(id);
    }
    for (const auto& [id, p] : w.projects()) {
      if (p.path_with_namespace.rfind("acme", 0) == 0) projects.push_back(id);
    }
  });
  // Scored as GitLab scores it, a batch is never refused at GitLab's limit for this token.
  auto fitted = gitlab::read_members_graphql(client, groups, projects);
  ASSERT_TRUE(fitted) << fitted.error().message;
  EXPECT_EQ(simulator.counters().snapshot()["graphql"]["refused_for_complexity"], 0);
  // Up to 100 sources a field and three fields a request: S's acme (a few dozen groups, a hundred
  // or so projects) takes a couple of requests.
  EXPECT_LE(fitted->requests, 3);
  gitlab::GraphqlMembersOptions generous;
  generous.complexity_limit = 2000;
  generous.sources_per_field = 10;  // more fields than one request may carry
  auto read = gitlab::read_members_graphql(client, groups, projects, generous);
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_GT(simulator.counters().snapshot()["graphql"]["refused_for_complexity"], 0);
  EXPECT_TRUE(read->unanswered_groups.empty());
  EXPECT_TRUE(read->unanswered_projects.empty());
  auto rest_groups = client.group_members(groups);
  auto rest_projects = client.project_members(projects);
  ASSERT_TRUE(rest_groups && rest_projects);
  for (auto& [id, members] : *rest_groups) {
    for (auto& m : members) m.email.reset();  // GraphQL carries no email
  }
  for (auto& [id, members] : *rest_projects) {
    for (auto& m : members) m.email.reset();
  }
  expect_same_members(*rest_groups, read->groups, "group");
  expect_same_members(*rest_projects, read->projects, "project");
}

// Whole syncs of S, REST against GraphQL: the same authorization state.
class ExportDifferential : public ::testing::TestWithParam<bool> {};

nlohmann::ordered_json synced_export(const sim::World& world, sync::MembersApi api,
                                     const std::filesystem::path& dir) {
  sim::SimulatorOptions options;
  options.clock = [] { return kNow; };
  sim::Simulator simulator(world, options);
  const http::Router router = simulator.router();
  auto store = store::open_store(*store::parse_database_url("sqlite:" + (dir / "p.db").string()),
                                 std::make_shared<store::SecretBox>(store::SecretBox::Key{4}));
  EXPECT_TRUE(store);
  EXPECT_TRUE((*store)->migrate());
  const ManualClock clock(kNow * 1000);
  sync::GitlabConfiguration config(**store, clock);
  sync::GitlabConfigPatch patch;
  patch.url = "https://gitlab.test";
  patch.secret = "oauth-secret";
  patch.application_id = "sim-client-id";
  patch.provisioning_type = ProvisioningType::kAutoProvisioning;
  patch.provisioning_token = "sim-admin-token";
  patch.allowed_groups = std::vector<std::string>{"acme", "umbrella"};
  EXPECT_TRUE(config.create_or_update(patch, "test"));
  // Five projects of acme bound, so that permissions are compared too.
  int n = 0;
  for (const auto& [id, p] : world.projects()) {
    if (p.path_with_namespace.rfind("acme/", 0) != 0 || n == 5) continue;
    const std::string key = "p" + std::to_string(n++);
    EXPECT_TRUE(sync::create_project(**store, key, key, Visibility::kPublic, "test"));
    EXPECT_TRUE(sync::bind_project(**store, clock, key, std::to_string(id), "test"));
  }
  sync::SyncOptions o;
  o.members_api = api;
  sync::SyncService service(
      **store, [&] { return std::make_unique<testing::InProcessTransport>(router); }, clock, o);
  // Creating the configuration queued the first full sync (binding queued project syncs): run
  // the queue to its end.
  (void)service.request_full("test");
  bool full = false;
  for (int i = 0; i < 20; ++i) {
    auto ran = service.run_next();
    EXPECT_TRUE(ran);
    if (!ran || !*ran) break;
    EXPECT_EQ((*ran)->status, TaskStatus::kSuccess) << (*ran)->error_message.value_or("");
    full = full || (*ran)->type == TaskType::kGitlabAuthProvisioning;
  }
  EXPECT_TRUE(full);
  auto state = (*store)->load_state();
  EXPECT_TRUE(state);
  auto exported = app::export_json(*state);
  EXPECT_TRUE(exported);
  return std::move(*exported);
}

// The export with each user's login (made up at creation, with a random suffix) replaced by
// their GitLab id, every array sorted again: two servers that hold the same state export the
// same text.
nlohmann::json normalized(const nlohmann::ordered_json& exported) {
  std::map<std::string, std::string> gitlab_of;
  for (const auto& u : exported.at("users")) {
    if (u.contains("externalId") && u.at("externalId").is_string()) {
      gitlab_of[u.at("login").get<std::string>()] =
          "gitlab:" + u.at("externalId").get<std::string>();
    }
  }
  std::function<nlohmann::json(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
    if (j.is_string()) {
      const auto it = gitlab_of.find(j.get<std::string>());
      return it == gitlab_of.end() ? j : nlohmann::json(it->second);
    }
    if (j.is_object()) {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, v] : j.items()) out[k] = walk(v);
      return out;
    }
    if (j.is_array()) {
      std::vector<nlohmann::json> items;
      for (const auto& v : j) items.push_back(walk(v));
      std::sort(items.begin(), items.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return a.dump() < b.dump();
      });
      return nlohmann::json(items);
    }
    return j;
  };
  return walk(nlohmann::json::parse(exported.dump()));
}

TEST_P(ExportDifferential, TheSameExport) {
  const sim::World world = world_of("S", GetParam());
  testing::TempDir a, b;
  const auto rest = synced_export(world, sync::MembersApi::kRest, a.path());
  const auto graphql = synced_export(world, sync::MembersApi::kGraphql, b.path());
  EXPECT_GT(rest.at("users").size(), 100u);
  EXPECT_FALSE(rest.at("permissions").empty());
  EXPECT_EQ(normalized(rest).dump(1), normalized(graphql).dump(1));
}

INSTANTIATE_TEST_SUITE_P(S, ExportDifferential, ::testing::Bool(), [](const auto& info) {
  return info.param ? std::string("with_custom_roles") : std::string("without_custom_roles");
});

}  // namespace
}  // namespace provisio
