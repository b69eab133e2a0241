// /members/all on every group and project of world S, checked against a computation of
// effective access written here from GitLab's rules (CONTRACT.md §5.2 and its "settled" notes),
// independently of the simulator's resolver:
//   - direct members of the source; members of every ancestor group (inherited);
//   - groups invited into the group (or the project's group) or any of their ancestors: the
//     invited group's direct members, at min(their level, the share's level);
//   - groups a project is shared with: members of that group and of its ancestors, capped;
//   - memberships and shares expiring today or earlier do not count; Minimal Access counts only
//     where it was granted; the highest level wins.

#include <gtest/gtest.h>

#include "generator.hpp"
#include "sim_test_support.hpp"

namespace provisio::sim {
namespace {

using nlohmann::json;
using Levels = std::map<std::int64_t, int>;

struct Plain {
  // Straight from the world file's JSON: no World indexes, no resolver.
  std::map<std::int64_t, std::optional<std::int64_t>> parent;
  std::map<std::int64_t, std::int64_t> project_group;
  std::map<std::int64_t, std::vector<json>> group_members, project_members;
  std::vector<json> group_shares, project_shares;
};

constexpr const char* kToday = "2025-06-01";

bool alive(const json& expires) { return expires.is_null() || expires.get<std::string>() > kToday; }

std::vector<std::int64_t> chain(const Plain& w, std::int64_t group) {  // the group, then up
  std::vector<std::int64_t> out;
  for (std::optional<std::int64_t> g = group; g; g = w.parent.at(*g)) out.push_back(*g);
  return out;
}

void take(Levels& out, std::int64_t user, int level) {
  auto [it, fresh] = out.emplace(user, level);
  if (!fresh) it->second = std::max(it->second, level);
}

void add_members(Levels& out, const std::vector<json>& rows, int cap, bool minimal_counts) {
  for (const json& row : rows) {
    const int level = row[1].get<int>();
    if (!alive(row[2]) || (level == kMinimalAccess && !minimal_counts)) continue;
    take(out, row[0].get<std::int64_t>(), std::min(level, cap));
  }
}

const std::vector<json>& rows_of(const std::map<std::int64_t, std::vector<json>>& m,
                                 std::int64_t id) {
  static const std::vector<json> kNone;
  const auto it = m.find(id);
  return it == m.end() ? kNone : it->second;
}

void add_group_side(const Plain& w, std::int64_t group, bool is_target, Levels& out) {
  const auto up = chain(w, group);
  for (std::size_t i = 0; i < up.size(); ++i) {
    add_members(out, rows_of(w.group_members, up[i]), 1000, is_target && i == 0);
  }
  for (const json& share : w.group_shares) {
    const auto into = share["shared_group_id"].get<std::int64_t>();
    if (std::find(up.begin(), up.end(), into) == up.end() || !alive(share["expires_at"])) continue;
    add_members(out, rows_of(w.group_members, share["invited_group_id"].get<std::int64_t>()),
                share["group_access_level"].get<int>(), false);
  }
}

Levels expected_group(const Plain& w, std::int64_t group) {
  Levels out;
  add_group_side(w, group, true, out);
  return out;
}

Levels expected_project(const Plain& w, std::int64_t project) {
  Levels out;
  add_members(out, rows_of(w.project_members, project), 1000, false);
  add_group_side(w, w.project_group.at(project), false, out);
  for (const json& share : w.project_shares) {
    if (share["project_id"].get<std::int64_t>() != project || !alive(share["expires_at"])) {
      continue;
    }
    for (std::int64_t g : chain(w, share["group_id"].get<std::int64_t>())) {
      add_members(out, rows_of(w.group_members, g), share["group_access_level"].get<int>(), false);
    }
  }
  return out;
}

Levels served(const http::Router& router, const std::string& path) {
  Levels out;
  for (int page = 1;; ++page) {
    const auto a = testing::get(router, path + "?per_page=100&page=" + std::to_string(page),
                                "sim-admin-token");
    EXPECT_EQ(a.status, 200) << path;
    for (const json& row : a.body) {
      EXPECT_TRUE(out.emplace(row["id"].get<std::int64_t>(), row["access_level"].get<int>()).second)
          << path << ": user " << row["id"] << " listed twice";
    }
    if (a.status != 200 || a.header("x-next-page").empty()) break;
  }
  return out;
}

TEST(EffectiveAccess, MembersAllOfEveryGroupAndProjectOfWorldS) {
  const std::string text = write_world(*generate_world(*preset("S")));
  const json doc = json::parse(text);
  Plain w;
  for (const json& g : doc["groups"]) {
    w.parent[g["id"]] =
        g["parent_id"].is_null() ? std::nullopt : std::optional(g["parent_id"].get<std::int64_t>());
  }
  for (const json& p : doc["projects"]) w.project_group[p["id"]] = p["namespace_id"];
  for (const json& e : doc["group_members"]) {
    w.group_members[e["group_id"]] = e["members"].get<std::vector<json>>();
  }
  for (const json& e : doc["project_members"]) {
    w.project_members[e["project_id"]] = e["members"].get<std::vector<json>>();
  }
  w.group_shares = doc["group_shares"].get<std::vector<json>>();
  w.project_shares = doc["project_shares"].get<std::vector<json>>();
  // The world must exercise the rules.
  ASSERT_FALSE(w.group_shares.empty());
  ASSERT_FALSE(w.project_shares.empty());

  Simulator sim(*parse_world(text), testing::fixed_clock());
  const auto router = sim.router();
  std::size_t checked = 0;
  for (const auto& [id, parent] : w.parent) {
    EXPECT_EQ(served(router, "/api/v4/groups/" + std::to_string(id) + "/members/all"),
              expected_group(w, id))
        << "group " << id;
    ++checked;
  }
  for (const auto& [id, group] : w.project_group) {
    EXPECT_EQ(served(router, "/api/v4/projects/" + std::to_string(id) + "/members/all"),
              expected_project(w, id))
        << "project " << id;
    ++checked;
  }
  EXPECT_EQ(checked, 250u);
}

}  // namespace
}  // namespace provisio::sim
