// Token introspection, custom roles, and POST /api/graphql (graphql_exec.hpp).

#include <charconv>

#include "gitlab_errors.hpp"
#include "graphql_exec.hpp"
#include "pagination.hpp"
#include "rest_api.hpp"

namespace provisio::sim {

http::HttpResponse get_token_self(const RestContext& ctx) {
  if (ctx.caller.token == nullptr) {
    // An OAuth token (CONTRACT.md §3 uncertain item 4: observed as this 400).
    return json_answer(400, ordered_json{{"message",
                                          "400 Bad request - This endpoint requires token type "
                                          "to be a personal access token"}}
                                .dump());
  }
  return json_answer(200, token_json(*ctx.caller.token, ctx.today()).dump());
}

http::HttpResponse get_token_associations(const RestContext& ctx) {
  const auto page = parse_page(ctx.request, std::nullopt);
  if (!page) return page.error();
  int min_level = 0;
  if (auto m = ctx.request.query_param("min_access_level")) {
    std::from_chars(m->data(), m->data() + m->size(), min_level);
  }
  const Id user_id = ctx.caller.user->id;
  ordered_json groups = ordered_json::array();
  for (Id id : ctx.world.groups_of_user(user_id)) {
    const Group* g = ctx.world.group(id);
    const Member* m = ctx.world.member(SourceKind::kGroup, id, user_id);
    if (!g || !m || m->access_level < min_level || is_expired(m->expires_at, ctx.today())) {
      continue;
    }
    groups.push_back({{"id", g->id},
                      {"web_url", ctx.render.base_url + "/groups/" + g->full_path},
                      {"name", g->name},
                      {"parent_id", g->parent_id ? ordered_json(*g->parent_id) : nullptr},
                      {"organization_id", 1},
                      {"access_levels", m->access_level},
                      {"visibility", g->visibility}});
  }
  ordered_json projects = ordered_json::array();
  for (Id id : ctx.world.projects_of_user(user_id)) {
    const Project* p = ctx.world.project(id);
    const Member* m = ctx.world.member(SourceKind::kProject, id, user_id);
    const Group* ns = p ? ctx.world.group(p->namespace_id) : nullptr;
    if (!p || !m || !ns || m->access_level < min_level || is_expired(m->expires_at, ctx.today())) {
      continue;
    }
    const int group_level =
        effective_member(ctx.world, SourceKind::kGroup, ns->id, user_id, ctx.today()).access_level;
    projects.push_back(
        {{"id", p->id},
         {"description", p->description},
         {"name", p->name},
         {"name_with_namespace", p->name_with_namespace},
         {"path", p->path},
         {"path_with_namespace", p->path_with_namespace},
         {"created_at", p->created_at},
         {"access_levels",
          {{"project_access_level", m->access_level},
           {"group_access_level", group_level > 0 ? ordered_json(group_level) : nullptr}}},
         {"visibility", p->visibility},
         {"web_url", ctx.render.base_url + "/" + p->path_with_namespace},
         {"namespace", namespace_json(ctx.render, *ns, true)}});
  }
  return json_answer(200, ordered_json{{"groups", groups}, {"projects", projects}}.dump());
}

http::HttpResponse list_group_member_roles(const RestContext& ctx) {
  const Group* g = find_visible_group(ctx);
  if (g == nullptr) return not_found("Group");
  const bool owner = ctx.viewer.admin() || effective_member(ctx.world, SourceKind::kGroup, g->id,
                                                            ctx.viewer.user->id, ctx.today())
                                                   .access_level >= kOwner;
  if (!owner) return forbidden();
  ordered_json rows = ordered_json::array();
  for (const auto& [id, role] : ctx.world.custom_roles()) {
    if (role.group_id == g->id) rows.push_back(custom_role_json(role));
  }
  return json_answer(200, rows.dump());
}

http::HttpResponse list_member_roles(const RestContext& ctx) {
  if (!ctx.viewer.admin()) return forbidden();
  ordered_json rows = ordered_json::array();
  for (const auto& [id, role] : ctx.world.custom_roles()) {
    if (!role.group_id) rows.push_back(custom_role_json(role));
  }
  return json_answer(200, rows.dump());
}

http::HttpResponse post_graphql(const RestContext& ctx) {
  const graphql::ExecContext exec{ctx.world, ctx.viewer, ctx.today(), ctx.render.base_url};
  graphql::HttpAnswer a = graphql::answer(ctx.request.body, exec);
  if (ctx.counters != nullptr) {
    ctx.counters->count_graphql(a.stats.operations, a.stats.multiplexed, a.stats.complexity,
                                a.stats.refused_for_complexity, a.stats.root_fields);
  }
  return json_answer(a.status, std::move(a.body));
}

}  // namespace provisio::sim
