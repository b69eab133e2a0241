#include <algorithm>
#include <cctype>
#include <charconv>

#include "gitlab_errors.hpp"
#include "pagination.hpp"
#include "rest_api.hpp"

namespace provisio::sim {
namespace {

constexpr AuthRule kPublicReadApi{true, Need::kReadApi};
constexpr AuthRule kReadApi{false, Need::kReadApi};
constexpr AuthRule kReadUser{false, Need::kReadUser};
constexpr AuthRule kAnyToken{false, Need::kAnyScope};

std::optional<Id> as_id(std::string_view text) {
  Id id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

}  // namespace

const std::vector<RestRoute>& rest_routes() {
  static const std::vector<RestRoute> routes = {
      {"GET", "/api/v4/personal_access_tokens/self", kAnyToken, get_token_self},
      {"GET", "/api/v4/personal_access_tokens/self/associations", kReadApi, get_token_associations},
      {"GET", "/api/v4/user", kReadUser, get_current_user},
      {"GET", "/api/v4/users", kReadUser, list_users},
      {"GET", "/api/v4/users/{id}", kReadUser, get_user},
      {"GET", "/api/v4/groups", kPublicReadApi, list_groups},
      {"GET", "/api/v4/groups/{id}", kPublicReadApi, get_group},
      {"GET", "/api/v4/groups/{id}/subgroups", kPublicReadApi, list_subgroups},
      {"GET", "/api/v4/groups/{id}/descendant_groups", kPublicReadApi, list_descendant_groups},
      {"GET", "/api/v4/groups/{id}/groups/shared", kPublicReadApi, list_groups_invited_into},
      {"GET", "/api/v4/groups/{id}/projects", kPublicReadApi, list_group_projects},
      {"GET", "/api/v4/groups/{id}/members", kPublicReadApi, list_group_members},
      {"GET", "/api/v4/groups/{id}/members/all", kPublicReadApi, list_all_group_members},
      {"GET", "/api/v4/groups/{id}/members/{user_id}", kPublicReadApi, get_group_member},
      {"GET", "/api/v4/groups/{id}/members/all/{user_id}", kPublicReadApi, get_any_group_member},
      {"PUT",
       "/api/v4/groups/{id}/members/{user_id}/state",
       {false, Need::kAnyScope},
       set_group_member_state},
      {"GET", "/api/v4/groups/{id}/member_roles", kReadApi, list_group_member_roles},
      {"GET", "/api/v4/member_roles", kReadApi, list_member_roles},
      {"GET", "/api/v4/projects", kPublicReadApi, list_projects},
      {"GET", "/api/v4/projects/{id}", kPublicReadApi, get_project},
      {"GET", "/api/v4/projects/{id}/members", kPublicReadApi, list_project_members},
      {"GET", "/api/v4/projects/{id}/members/all", kPublicReadApi, list_all_project_members},
      {"GET", "/api/v4/projects/{id}/members/{user_id}", kPublicReadApi, get_project_member},
      {"GET", "/api/v4/projects/{id}/members/all/{user_id}", kPublicReadApi,
       get_any_project_member},
      {"POST", "/api/graphql", {true, Need::kReadApi}, post_graphql},
  };
  return routes;
}

EffectiveCache::List EffectiveCache::get(const World& world, SourceKind kind, Id source_id,
                                         std::string_view today) {
  std::lock_guard lock(mutex_);
  if (version_ != world.version() || today_ != today) {
    groups_.clear();
    projects_.clear();
    version_ = world.version();
    today_ = std::string(today);
  }
  auto& map = kind == SourceKind::kGroup ? groups_ : projects_;
  if (const auto it = map.find(source_id); it != map.end()) return it->second;
  if (map.size() >= kMaxEntries) map.clear();
  auto list = std::make_shared<const std::vector<EffectiveMember>>(
      effective_members(world, kind, source_id, today));
  map.emplace(source_id, list);
  return list;
}

std::string RestContext::param(const std::string& name) const {
  const auto it = request.path_params.find(name);
  return it == request.path_params.end() ? std::string() : it->second;
}

bool RestContext::flag(std::string_view name, bool fallback) const {
  const auto value = request.query_param(name);
  if (!value || value->empty()) return fallback;
  return *value == "true" || *value == "1";
}

const Group* find_visible_group(const RestContext& ctx) {
  const std::string key = ctx.param("id");
  const auto id = as_id(key);
  const Group* group = id ? ctx.world.group(*id) : ctx.world.group_by_path(key);
  if (group == nullptr || !can_see_group(ctx.world, ctx.viewer, *group, ctx.today())) {
    return nullptr;
  }
  return group;
}

const Project* find_visible_project(const RestContext& ctx) {
  const std::string key = ctx.param("id");
  const auto id = as_id(key);
  const Project* project = id ? ctx.world.project(*id) : ctx.world.project_by_path(key);
  if (project == nullptr || !can_see_project(ctx.world, ctx.viewer, *project, ctx.today())) {
    return nullptr;
  }
  return project;
}

http::HttpResponse paged_answer(const RestContext& ctx, const ordered_json& rows,
                                const PageRequest& page, std::size_t total) {
  http::HttpResponse response = json_answer(200, rows.dump());
  add_offset_headers(response, ctx.request, ctx.render.base_url, page, total);
  return response;
}

bool contains_ignoring_case(std::string_view text, std::string_view needle) {
  const auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                              [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  return it != text.end() || needle.empty();
}

void sort_groups(const RestContext& ctx, std::vector<const Group*>& groups) {
  const std::string order(ctx.request.query_param("order_by").value_or("name"));
  const bool desc = ctx.request.query_param("sort").value_or("asc") == "desc";
  const auto key_less = [&](const Group* a, const Group* b) {
    if (order == "id") return a->id < b->id;
    const std::string& ka = order == "path" ? a->full_path : a->name;
    const std::string& kb = order == "path" ? b->full_path : b->name;
    return ka != kb ? ka < kb : a->id < b->id;
  };
  std::sort(groups.begin(), groups.end(),
            [&](const Group* a, const Group* b) { return desc ? key_less(b, a) : key_less(a, b); });
}

void sort_projects(const RestContext& ctx, std::vector<const Project*>& projects) {
  const std::string order(ctx.request.query_param("order_by").value_or("created_at"));
  const bool desc = ctx.request.query_param("sort").value_or("desc") == "desc";
  const auto key_less = [&](const Project* a, const Project* b) {
    if (order == "name" && a->name != b->name) return a->name < b->name;
    if (order == "path" && a->path != b->path) return a->path < b->path;
    return a->id < b->id;  // created_at follows ids in the simulator
  };
  std::sort(projects.begin(), projects.end(), [&](const Project* a, const Project* b) {
    return desc ? key_less(b, a) : key_less(a, b);
  });
}

}  // namespace provisio::sim
