// The resolver against GitLab's own answer: for every group and project of the reference worlds
// S and M, the effective members our resolver computes from direct memberships (read through the
// real client and snapshot reader) equal what gitlab-sim's /members/all serves. S asks the
// endpoint itself for every group and project; M (22,000 groups and projects) asks the
// simulator's effective-access function that the endpoint serves, to keep the test fast.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/effective_access.hpp"
#include "effective_access.hpp"
#include "generator.hpp"
#include "gitlab/client.hpp"
#include "in_process_transport.hpp"
#include "simulator.hpp"
#include "sync/snapshot_reader.hpp"

namespace provisio {
namespace {

constexpr std::int64_t kNow = 1'790'000'000;  // 2026-09-21, Unix seconds
const gl::Date kToday = "2026-09-21";

struct Loaded {
  std::unique_ptr<sim::Simulator> simulator;
  http::Router router;
  Snapshot snapshot;
};

Loaded load(const std::string& preset) {
  auto world = sim::generate_world(*sim::preset(preset));
  EXPECT_TRUE(world) << (world ? "" : world.error().message);
  sim::SimulatorOptions options;
  options.clock = [] { return kNow; };
  Loaded out;
  out.simulator = std::make_unique<sim::Simulator>(std::move(*world), options);
  out.router = out.simulator->router();
  testing::InProcessTransport transport(out.router);
  SeededRandom random(1);
  gitlab::ClientOptions o;
  o.base_url = "https://gitlab.test";
  o.token = "sim-admin-token";
  gitlab::Client client(o, transport, random);
  auto snapshot = sync::read_snapshot(client, {"acme", "umbrella"}, kToday);
  EXPECT_TRUE(snapshot) << (snapshot ? "" : snapshot.error().message);
  out.snapshot = std::move(*snapshot);
  return out;
}

// (user, level) sorted by user: a flat vector, since M compares some 200 million of them.
using Levels = std::vector<std::pair<gl::Id, int>>;

// Effective members with guest or more: what a mirrored group's membership follows. A project's
// access is its namespace group's access combined with what the project adds (the highest level
// wins), as project_access() computes it; combining here avoids copying the group's map once per
// project.
Levels ours(const access::AccessMap& m, const access::AccessMap* inherited = nullptr) {
  Levels out;
  out.reserve(m.size() + (inherited != nullptr ? inherited->size() : 0));
  for (const auto& [user, a] : m) {
    int level = a.level;
    if (inherited != nullptr) {
      if (const auto it = inherited->find(user); it != inherited->end()) {
        level = std::max(level, it->second.level);
      }
    }
    if (level >= 10) out.emplace_back(user, level);
  }
  if (inherited != nullptr) {
    for (const auto& [user, a] : *inherited) {
      if (a.level >= 10 && m.count(user) == 0) out.emplace_back(user, a.level);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Levels theirs(const std::vector<sim::EffectiveMember>& members) {
  Levels out;
  out.reserve(members.size());
  for (const auto& m : members) {
    if (m.access_level >= 10) out.emplace_back(m.user_id, m.access_level);
  }
  return out;  // effective_members() returns them sorted by user id
}

Levels over_http(const http::Router& router, const std::string& path) {
  Levels out;
  for (int page = 1;; ++page) {
    http::HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.query = {{"page", std::to_string(page)}, {"per_page", "100"}};
    r.headers = {{"private-token", "sim-admin-token"}, {"host", "gitlab.test"}};
    const auto response = router.handle(r);
    EXPECT_EQ(response.status, 200) << path;
    const auto body = nlohmann::json::parse(response.body);
    for (const auto& m : body) {
      if (m["access_level"].get<int>() >= 10) {
        out.emplace_back(m["id"].get<gl::Id>(), m["access_level"].get<int>());
      }
    }
    std::string next;
    for (const auto& [k, v] : response.headers) {
      if (k == "X-Next-Page" || k == "x-next-page") next = v;
    }
    if (next.empty() || body.empty()) break;
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Walks the tree as the sync does and checks every group and project.
// full_projects: compare project_access() itself (S); else its equivalent over the shared
// group map (M), see ours().
template <typename Expected>
void compare_all(const Snapshot& s, Expected expected, std::size_t* checked, bool full_projects) {
  std::map<gl::Id, std::vector<gl::Id>> children;
  for (const gl::Id id : s.groups_in_scope) {
    const auto& g = s.groups.at(id);
    if (g.parent_id && s.in_scope(*g.parent_id)) children[*g.parent_id].push_back(id);
  }
  std::map<gl::Id, std::vector<const gl::Project*>> projects_of;
  for (const auto& [id, p] : s.projects) projects_of[p.namespace_id].push_back(&p);
  std::function<void(gl::Id, const access::AccessMap*)> visit =
      [&](gl::Id group, const access::AccessMap* parent) {
        const auto here = access::group_access(s, group, parent);
        EXPECT_EQ(ours(here), expected(sim::SourceKind::kGroup, group))
            << "group " << s.groups.at(group).full_path;
        ++*checked;
        for (const gl::Project* p : projects_of[group]) {
          const Levels got = full_projects ? ours(access::project_access(s, *p, &here))
                                           : ours(access::project_own_access(s, *p), &here);
          EXPECT_EQ(got, expected(sim::SourceKind::kProject, p->id))
              << "project " << p->path_with_namespace;
          ++*checked;
        }
        for (const gl::Id child : children[group]) visit(child, &here);
      };
  for (const gl::Id root : s.roots) visit(root, nullptr);
}

TEST(ResolverDifferential, EveryGroupAndProjectOfWorldSMatchesMembersAll) {
  const Loaded l = load("S");
  std::size_t checked = 0;
  compare_all(
      l.snapshot,
      [&](sim::SourceKind kind, gl::Id id) {
        return over_http(
            l.router,
            std::string(kind == sim::SourceKind::kGroup ? "/api/v4/groups/" : "/api/v4/projects/") +
                std::to_string(id) + "/members/all");
      },
      &checked, /*full_projects=*/true);
  EXPECT_GT(checked, 150u);
}

TEST(ResolverDifferential, EveryGroupAndProjectOfWorldMMatchesMembersAll) {
  const Loaded l = load("M");
  std::size_t checked = 0;
  l.simulator->read_world([&](const sim::World& world) {
    compare_all(
        l.snapshot,
        [&](sim::SourceKind kind, gl::Id id) {
          return theirs(sim::effective_members(world, kind, id, kToday));
        },
        &checked, /*full_projects=*/false);
  });
  EXPECT_GT(checked, 10'000u);
}

}  // namespace
}  // namespace provisio
