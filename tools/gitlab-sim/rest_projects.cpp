// GET /projects and /projects/:id (CONTRACT.md §7.2, keyset on /projects).

#include "gitlab_errors.hpp"
#include "pagination.hpp"
#include "rest_api.hpp"

namespace provisio::sim {
namespace {

bool matches(const RestContext& ctx, const Project& p) {
  if (auto v = ctx.request.query_param("visibility"); v && !v->empty() && p.visibility != *v) {
    return false;
  }
  if (auto a = ctx.request.query_param("archived");
      a && !a->empty() && p.archived != (*a == "true")) {
    return false;
  }
  if (auto search = ctx.request.query_param("search"); search && !search->empty() &&
                                                       !contains_ignoring_case(p.name, *search) &&
                                                       !contains_ignoring_case(p.path, *search)) {
    return false;
  }
  if (ctx.flag("membership", false) || ctx.request.query_param("min_access_level")) {
    if (ctx.viewer.user == nullptr) return false;
    const int level =
        effective_member(ctx.world, SourceKind::kProject, p.id, ctx.viewer.user->id, ctx.today())
            .access_level;
    int min = kGuest;
    if (auto m = ctx.request.query_param("min_access_level"))
      min = std::atoi(std::string(*m).c_str());
    if (level < min) return false;
  }
  return can_see_project(ctx.world, ctx.viewer, p, ctx.today());
}

ordered_json row(const RestContext& ctx, const Project& p) {
  return ctx.flag("simple", false) ? project_simple_json(ctx.render, p)
                                   : project_list_json(ctx.render, p);
}

}  // namespace

http::HttpResponse list_projects(const RestContext& ctx) {
  const auto& projects = ctx.world.projects();
  if (wants_keyset(ctx.request)) {
    const auto keyset = parse_keyset(ctx.request);
    if (!keyset) return keyset.error();
    ordered_json rows = ordered_json::array();
    std::optional<Id> last;
    bool more = false;
    const auto take = [&](const Project& p) {
      if (!matches(ctx, p)) return true;
      if (rows.size() == keyset->per_page) {
        more = true;
        return false;
      }
      rows.push_back(row(ctx, p));
      last = p.id;
      return true;
    };
    if (keyset->descending) {
      auto it = keyset->before ? projects.lower_bound(*keyset->before) : projects.end();
      while (it != projects.begin() && take((--it)->second)) {
      }
    } else {
      for (auto it = keyset->after ? projects.upper_bound(*keyset->after) : projects.begin();
           it != projects.end() && take(it->second); ++it) {
      }
    }
    http::HttpResponse response = json_answer(200, rows.dump());
    add_keyset_headers(response, ctx.request, ctx.render.base_url, *keyset, last, more);
    return response;
  }
  const auto page = parse_page(ctx.request, "Project");
  if (!page) return page.error();
  std::vector<const Project*> selected;
  for (const auto& [id, p] : projects) {
    if (matches(ctx, p)) selected.push_back(&p);
  }
  sort_projects(ctx, selected);
  ordered_json rows = ordered_json::array();
  for (const Project* p : slice(selected, *page)) rows.push_back(row(ctx, *p));
  return paged_answer(ctx, rows, *page, selected.size());
}

http::HttpResponse get_project(const RestContext& ctx) {
  const Project* project = find_visible_project(ctx);
  if (project == nullptr) return not_found("Project");
  int project_access = 0;
  int group_access = 0;
  if (ctx.viewer.user != nullptr) {
    const Id user_id = ctx.viewer.user->id;
    if (const Member* m = ctx.world.member(SourceKind::kProject, project->id, user_id);
        m && !is_expired(m->expires_at, ctx.today())) {
      project_access = m->access_level;
    }
    group_access =
        effective_member(ctx.world, SourceKind::kGroup, project->namespace_id, user_id, ctx.today())
            .access_level;
  }
  const ordered_json body =
      project_detail_json(ctx.render, *project, project_access, group_access,
                          ctx.flag("license", false), ctx.flag("statistics", false));
  return json_answer(200, body.dump());
}

}  // namespace provisio::sim
