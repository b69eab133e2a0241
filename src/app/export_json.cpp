#include "app/export_json.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace provisio::app {
namespace {

using json = nlohmann::ordered_json;

template <typename T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

template <typename Map>
const typename Map::mapped_type* lookup(const Map& map, typename Map::key_type key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

Error dangling(std::string_view what, std::int64_t id) {
  return Error{ErrorCode::kInternal, "The state refers to an unknown " + std::string(what) +
                                         " (id " + std::to_string(id) + ")."};
}

}  // namespace

Result<nlohmann::ordered_json> export_json(const AuthorizationState& state) {
  std::map<UserId, const User*> users_by_id;
  for (const User& u : state.users) users_by_id[u.id] = &u;
  std::map<GroupId, const Group*> groups_by_id;
  for (const Group& g : state.groups) groups_by_id[g.id] = &g;
  std::map<ProjectId, const Project*> projects_by_id;
  for (const Project& p : state.projects) projects_by_id[p.id] = &p;

  std::vector<const User*> users;
  for (const User& u : state.users) users.push_back(&u);
  std::sort(users.begin(), users.end(),
            [](const User* a, const User* b) { return a->login < b->login; });
  json users_json = json::array();
  for (const User* u : users) {
    users_json.push_back({{"login", u->login},
                          {"name", u->name},
                          {"email", optional_json(u->email)},
                          {"active", u->active},
                          {"local", u->local},
                          {"managed", u->managed},
                          {"externalProvider", to_string(u->external_provider)},
                          {"externalId", optional_json(u->external_id)},
                          {"externalLogin", optional_json(u->external_login)}});
  }

  std::vector<const Group*> groups;
  for (const Group& g : state.groups) groups.push_back(&g);
  std::sort(groups.begin(), groups.end(),
            [](const Group* a, const Group* b) { return a->name < b->name; });
  json groups_json = json::array();
  for (const Group* g : groups) {
    groups_json.push_back({{"name", g->name},
                           {"description", g->description},
                           {"managed", g->managed},
                           {"default", g->is_default},
                           {"externalId", optional_json(g->external_id)}});
  }

  std::vector<std::pair<std::string, std::string>> memberships;  // (group, login)
  for (const Membership& m : state.memberships) {
    const auto* group = lookup(groups_by_id, m.group_id);
    if (!group) return tl::unexpected(dangling("group", m.group_id));
    const auto* user = lookup(users_by_id, m.user_id);
    if (!user) return tl::unexpected(dangling("user", m.user_id));
    memberships.emplace_back((*group)->name, (*user)->login);
  }
  std::sort(memberships.begin(), memberships.end());
  json memberships_json = json::array();
  for (const auto& [group, login] : memberships) {
    memberships_json.push_back({{"group", group}, {"login", login}});
  }

  std::vector<const Project*> projects;
  for (const Project& p : state.projects) projects.push_back(&p);
  std::sort(projects.begin(), projects.end(),
            [](const Project* a, const Project* b) { return a->key < b->key; });
  json projects_json = json::array();
  for (const Project* p : projects) {
    projects_json.push_back({{"key", p->key},
                             {"name", p->name},
                             {"visibility", to_string(p->visibility)},
                             {"gitlabProjectId", optional_json(p->gitlab_project_id)},
                             {"managed", p->managed()}});
  }

  struct Row {
    std::optional<std::string> project_key;  // nothing: global, sorted first
    std::string holder;
    bool is_group = false;  // a user and a group of the same name: the user first
    std::string permission;
    auto key() const { return std::tie(project_key, holder, is_group, permission); }
  };
  std::vector<Row> rows;
  for (const PermissionGrant& g : state.permissions) {
    Row row;
    if (g.project_id) {
      const auto* project = lookup(projects_by_id, *g.project_id);
      if (!project) return tl::unexpected(dangling("project", *g.project_id));
      row.project_key = (*project)->key;
    }
    if (g.user_id) {
      const auto* user = lookup(users_by_id, *g.user_id);
      if (!user) return tl::unexpected(dangling("user", *g.user_id));
      row.holder = (*user)->login;
    } else if (g.group_id) {
      const auto* group = lookup(groups_by_id, *g.group_id);
      if (!group) return tl::unexpected(dangling("group", *g.group_id));
      row.holder = (*group)->name;
      row.is_group = true;
    } else {
      return make_error(ErrorCode::kInternal, "The state holds a grant without a holder.");
    }
    row.permission = g.permission;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.key() < b.key(); });
  json permissions_json = json::array();
  for (const Row& row : rows) {
    json entry = {{"projectKey", optional_json(row.project_key)}};
    entry[row.is_group ? "group" : "login"] = row.holder;
    entry["permission"] = row.permission;
    permissions_json.push_back(std::move(entry));
  }

  // ordered_json keeps the documented key order (a plain json sorts keys alphabetically).
  return json{{"users", std::move(users_json)},
              {"groups", std::move(groups_json)},
              {"memberships", std::move(memberships_json)},
              {"projects", std::move(projects_json)},
              {"permissions", std::move(permissions_json)}};
}

}  // namespace provisio::app
