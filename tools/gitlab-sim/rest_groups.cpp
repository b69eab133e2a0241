// GET /groups, /groups/:id, /groups/:id/subgroups, /groups/:id/descendant_groups,
// /groups/:id/groups/shared, /groups/:id/projects (CONTRACT.md §4, §7.1).

#include <charconv>
#include <set>

#include "gitlab_errors.hpp"
#include "pagination.hpp"
#include "rest_api.hpp"

namespace provisio::sim {
namespace {

// Which groups a listing shows: admins all; anonymous callers public ones; users the groups they
// have access to, or every group they can see with all_available=true.
bool listed(const RestContext& ctx, const Group& g, bool all_available_default) {
  if (ctx.viewer.admin()) return true;
  if (ctx.viewer.user == nullptr) return g.visibility == "public";
  if (ctx.flag("all_available", all_available_default)) {
    return can_see_group(ctx.world, ctx.viewer, g, ctx.today());
  }
  return is_authorized_group(ctx.world, ctx.viewer, g, ctx.today());
}

bool filtered_out(const RestContext& ctx, const Group& g) {
  if (auto search = ctx.request.query_param("search"); search && !search->empty()) {
    if (!contains_ignoring_case(g.name, *search) && !contains_ignoring_case(g.path, *search)) {
      return true;
    }
  }
  if (auto v = ctx.request.query_param("visibility"); v && !v->empty() && g.visibility != *v) {
    return true;
  }
  if (auto skip = ctx.request.query_param("skip_groups[]")) {
    if (std::to_string(g.id) == *skip) return true;
  }
  return false;
}

http::HttpResponse group_list(const RestContext& ctx, std::vector<const Group*> groups,
                              std::optional<std::string_view> keyset_type) {
  const auto page = parse_page(ctx.request, keyset_type);
  if (!page) return page.error();
  sort_groups(ctx, groups);
  ordered_json rows = ordered_json::array();
  for (const Group* g : slice(groups, *page)) rows.push_back(group_list_json(ctx.render, *g));
  return paged_answer(ctx, rows, *page, groups.size());
}

std::optional<int> min_access_level(const RestContext& ctx) {
  const auto value = ctx.request.query_param("min_access_level");
  if (!value || value->empty()) return std::nullopt;
  int level = 0;
  std::from_chars(value->data(), value->data() + value->size(), level);
  return level;
}

}  // namespace

http::HttpResponse list_groups(const RestContext& ctx) {
  std::vector<const Group*> groups;
  const auto min_level = min_access_level(ctx);
  if (min_level && ctx.viewer.user != nullptr) {
    // GitLab: groups where the user is a direct member at or above the level, plus their
    // descendants (CONTRACT.md, "Settled later", item 7).
    std::set<Id> ids;
    const Id user_id = ctx.viewer.user->id;
    for (Id g : ctx.world.groups_of_user(user_id)) {
      const Member* m = ctx.world.member(SourceKind::kGroup, g, user_id);
      if (m == nullptr || m->access_level < *min_level || is_expired(m->expires_at, ctx.today())) {
        continue;
      }
      ids.insert(g);
      for (Id d : ctx.world.descendants(g)) ids.insert(d);
    }
    for (Id id : ids) groups.push_back(ctx.world.group(id));
  } else {
    for (const auto& [id, g] : ctx.world.groups()) {
      if (listed(ctx, g, false)) groups.push_back(&g);
    }
  }
  const bool top_level_only = ctx.flag("top_level_only", false);
  std::erase_if(groups, [&](const Group* g) {
    return filtered_out(ctx, *g) || (top_level_only && g->parent_id.has_value());
  });
  return group_list(ctx, std::move(groups), "Group");
}

http::HttpResponse get_group(const RestContext& ctx) {
  const Group* group = find_visible_group(ctx);
  if (group == nullptr) return not_found("Group");
  const bool owner = ctx.viewer.admin() ||
                     (ctx.viewer.user && effective_member(ctx.world, SourceKind::kGroup, group->id,
                                                          ctx.viewer.user->id, ctx.today())
                                                 .access_level >= kOwner);
  std::vector<const Project*> projects;
  std::vector<const Project*> shared;
  const bool with_projects = ctx.flag("with_projects", true);
  if (with_projects) {
    // GitLab embeds at most 100 of each.
    for (Id id : ctx.world.projects_in(group->id)) {
      const Project* p = ctx.world.project(id);
      if (projects.size() < 100 && can_see_project(ctx.world, ctx.viewer, *p, ctx.today())) {
        projects.push_back(p);
      }
    }
    for (const ProjectShare* share : ctx.world.project_shares_with_group(group->id)) {
      const Project* p = ctx.world.project(share->project_id);
      if (p && shared.size() < 100 && can_see_project(ctx.world, ctx.viewer, *p, ctx.today())) {
        shared.push_back(p);
      }
    }
  }
  const ordered_json body =
      group_detail_json(ctx.render, *group, owner, with_projects ? &projects : nullptr,
                        with_projects ? &shared : nullptr);
  return json_answer(200, body.dump());
}

http::HttpResponse list_subgroups(const RestContext& ctx) {
  const Group* group = find_visible_group(ctx);
  if (group == nullptr) return not_found("Group");
  std::vector<const Group*> groups;
  for (Id id : ctx.world.children(group->id)) {
    const Group* g = ctx.world.group(id);
    if (listed(ctx, *g, false) && !filtered_out(ctx, *g)) groups.push_back(g);
  }
  return group_list(ctx, std::move(groups), std::nullopt);
}

http::HttpResponse list_descendant_groups(const RestContext& ctx) {
  const Group* group = find_visible_group(ctx);
  if (group == nullptr) return not_found("Group");
  std::vector<const Group*> groups;
  for (Id id : ctx.world.descendants(group->id)) {
    const Group* g = ctx.world.group(id);
    if (listed(ctx, *g, false) && !filtered_out(ctx, *g)) groups.push_back(g);
  }
  return group_list(ctx, std::move(groups), std::nullopt);
}

// GET /groups/:id/groups/shared: the groups `id` was invited into, those the caller can see
// (Namespaces::Groups::SharedGroupsFinder: shared_groups.public_or_visible_to_user), expired
// shares included as GitLab keeps them until they are removed.
http::HttpResponse list_groups_invited_into(const RestContext& ctx) {
  const Group* group = find_visible_group(ctx);
  if (group == nullptr) return not_found("Group");
  std::vector<const Group*> groups;
  for (const GroupShare* share : ctx.world.shares_of_invited_group(group->id)) {
    const Group* g = ctx.world.group(share->shared_group_id);
    if (g != nullptr && can_see_group(ctx.world, ctx.viewer, *g, ctx.today()) &&
        !filtered_out(ctx, *g)) {
      groups.push_back(g);
    }
  }
  return group_list(ctx, std::move(groups), std::nullopt);
}

http::HttpResponse list_group_projects(const RestContext& ctx) {
  const Group* group = find_visible_group(ctx);
  if (group == nullptr) return not_found("Group");
  const auto page = parse_page(ctx.request, std::nullopt);
  if (!page) return page.error();
  std::vector<Id> ids(ctx.world.projects_in(group->id));
  if (ctx.flag("include_subgroups", false)) {
    for (Id d : ctx.world.descendants(group->id)) {
      const auto& more = ctx.world.projects_in(d);
      ids.insert(ids.end(), more.begin(), more.end());
    }
  }
  if (ctx.flag("with_shared", true)) {
    for (const ProjectShare* share : ctx.world.project_shares_with_group(group->id)) {
      if (!is_expired(share->expires_at, ctx.today())) ids.push_back(share->project_id);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  const auto archived = ctx.request.query_param("archived");
  const auto visibility = ctx.request.query_param("visibility");
  std::vector<const Project*> projects;
  for (Id id : ids) {
    const Project* p = ctx.world.project(id);
    if (p == nullptr) continue;
    if (archived && !archived->empty() && p->archived != (*archived == "true")) continue;
    if (visibility && !visibility->empty() && p->visibility != *visibility) continue;
    if (auto search = ctx.request.query_param("search");
        search && !search->empty() && !contains_ignoring_case(p->name, *search) &&
        !contains_ignoring_case(p->path, *search)) {
      continue;
    }
    if (!can_see_project(ctx.world, ctx.viewer, *p, ctx.today())) continue;
    projects.push_back(p);
  }
  sort_projects(ctx, projects);
  const bool simple = ctx.flag("simple", false);
  ordered_json rows = ordered_json::array();
  for (const Project* p : slice(projects, *page)) {
    rows.push_back(simple ? project_simple_json(ctx.render, *p)
                          : project_list_json(ctx.render, *p));
  }
  return paged_answer(ctx, rows, *page, projects.size());
}

}  // namespace provisio::sim
