// Members of groups and projects: direct (/members) and effective (/members/all), lists and
// single rows (CONTRACT.md §5). The effective rules live in effective_access.hpp.

#include <charconv>

#include "gitlab_errors.hpp"
#include "pagination.hpp"
#include "rest_api.hpp"

namespace provisio::sim {
namespace {

bool query_matches(const RestContext& ctx, const User& u) {
  const auto query = ctx.request.query_param("query");
  if (!query || query->empty()) return true;
  return contains_ignoring_case(u.username, *query) || contains_ignoring_case(u.name, *query) ||
         (ctx.viewer.admin() && contains_ignoring_case(u.email, *query));
}

std::optional<Id> user_id_param(const RestContext& ctx) {
  const std::string text = ctx.param("user_id");
  Id id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

http::HttpResponse direct_list(const RestContext& ctx, SourceKind kind, Id source_id) {
  const auto page = parse_page(ctx.request, std::nullopt);
  if (!page) return page.error();
  const auto& members = ctx.world.members(kind, source_id);
  ordered_json rows = ordered_json::array();
  const auto add = [&](const User& user, const Member& m) {
    rows.push_back(member_json(ctx.render, user, m, m.access_level, true));
  };
  std::size_t total = 0;
  if (!ctx.request.query_param("query")) {
    // Without a filter the page is a slice of the sorted list.
    total = members.size();
    const std::size_t begin = std::min(total, page->offset());
    const std::size_t end = std::min(total, begin + page->per_page);
    for (std::size_t i = begin; i < end; ++i) {
      if (const User* user = ctx.world.user(members[i].user_id)) add(*user, members[i]);
    }
    return paged_answer(ctx, rows, *page, total);
  }
  for (const Member& m : members) {
    const User* user = ctx.world.user(m.user_id);
    if (user == nullptr || !query_matches(ctx, *user)) continue;
    if (total >= page->offset() && rows.size() < page->per_page) add(*user, m);
    ++total;
  }
  return paged_answer(ctx, rows, *page, total);
}

ordered_json effective_row(const RestContext& ctx, const User& user, const EffectiveMember& e) {
  // A custom role shows only when it is what grants the level (a share cap replaces it).
  return member_json(ctx.render, user, *e.membership, e.access_level, !e.capped);
}

http::HttpResponse effective_list(const RestContext& ctx, SourceKind kind, Id source_id) {
  const auto page = parse_page(ctx.request, std::nullopt);
  if (!page) return page.error();
  const auto list = ctx.cache.get(ctx.world, kind, source_id, ctx.today());
  ordered_json rows = ordered_json::array();
  std::size_t total = 0;
  if (!ctx.request.query_param("query")) {
    // Without a filter the page is a slice: a request costs its page, not the whole list.
    total = list->size();
    const std::size_t begin = std::min(total, page->offset());
    const std::size_t end = std::min(total, begin + page->per_page);
    for (std::size_t i = begin; i < end; ++i) {
      if (const User* user = ctx.world.user((*list)[i].user_id)) {
        rows.push_back(effective_row(ctx, *user, (*list)[i]));
      }
    }
    return paged_answer(ctx, rows, *page, total);
  }
  for (const EffectiveMember& e : *list) {
    const User* user = ctx.world.user(e.user_id);
    if (user == nullptr || !query_matches(ctx, *user)) continue;
    if (total >= page->offset() && rows.size() < page->per_page) {
      rows.push_back(effective_row(ctx, *user, e));
    }
    ++total;
  }
  return paged_answer(ctx, rows, *page, total);
}

http::HttpResponse direct_one(const RestContext& ctx, SourceKind kind, Id source_id) {
  const auto user_id = user_id_param(ctx);
  const Member* m = user_id ? ctx.world.member(kind, source_id, *user_id) : nullptr;
  const User* user = m ? ctx.world.user(m->user_id) : nullptr;
  if (user == nullptr) return not_found("Member");
  return json_answer(200, member_json(ctx.render, *user, *m, m->access_level, true).dump());
}

http::HttpResponse effective_one(const RestContext& ctx, SourceKind kind, Id source_id) {
  const auto user_id = user_id_param(ctx);
  if (!user_id) return not_found("Member");
  const EffectiveMember e = effective_member(ctx.world, kind, source_id, *user_id, ctx.today());
  const User* user = ctx.world.user(*user_id);
  if (e.access_level == 0 || user == nullptr) return not_found("Member");
  return json_answer(200, effective_row(ctx, *user, e).dump());
}

}  // namespace

http::HttpResponse list_group_members(const RestContext& ctx) {
  const Group* g = find_visible_group(ctx);
  return g ? direct_list(ctx, SourceKind::kGroup, g->id) : not_found("Group");
}

http::HttpResponse list_all_group_members(const RestContext& ctx) {
  const Group* g = find_visible_group(ctx);
  return g ? effective_list(ctx, SourceKind::kGroup, g->id) : not_found("Group");
}

http::HttpResponse get_group_member(const RestContext& ctx) {
  const Group* g = find_visible_group(ctx);
  return g ? direct_one(ctx, SourceKind::kGroup, g->id) : not_found("Group");
}

http::HttpResponse get_any_group_member(const RestContext& ctx) {
  const Group* g = find_visible_group(ctx);
  return g ? effective_one(ctx, SourceKind::kGroup, g->id) : not_found("Group");
}

http::HttpResponse set_group_member_state(const RestContext& ctx) {
  const Group* g = find_visible_group(ctx);
  if (g == nullptr) return not_found("Group");
  if (!ctx.request.query_param("state") && ctx.request.body.find("state") == std::string::npos) {
    return missing_param("state");
  }
  const bool owner = ctx.viewer.admin() || effective_member(ctx.world, SourceKind::kGroup, g->id,
                                                            ctx.viewer.user->id, ctx.today())
                                                   .access_level >= kOwner;
  if (!owner) return forbidden();
  const auto user_id = user_id_param(ctx);
  if (!user_id || ctx.world.member(SourceKind::kGroup, g->id, *user_id) == nullptr) {
    return not_found("Member");
  }
  // Memberships are always active in the simulator: there is no seat approval to change.
  return json_answer(200, R"({"success":true})");
}

http::HttpResponse list_project_members(const RestContext& ctx) {
  const Project* p = find_visible_project(ctx);
  return p ? direct_list(ctx, SourceKind::kProject, p->id) : not_found("Project");
}

http::HttpResponse list_all_project_members(const RestContext& ctx) {
  const Project* p = find_visible_project(ctx);
  return p ? effective_list(ctx, SourceKind::kProject, p->id) : not_found("Project");
}

http::HttpResponse get_project_member(const RestContext& ctx) {
  const Project* p = find_visible_project(ctx);
  return p ? direct_one(ctx, SourceKind::kProject, p->id) : not_found("Project");
}

http::HttpResponse get_any_project_member(const RestContext& ctx) {
  const Project* p = find_visible_project(ctx);
  return p ? effective_one(ctx, SourceKind::kProject, p->id) : not_found("Project");
}

}  // namespace provisio::sim
