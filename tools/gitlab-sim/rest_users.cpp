// GET /user, /users, /users/:id (CONTRACT.md §8).

#include <charconv>

#include "gitlab_errors.hpp"
#include "pagination.hpp"
#include "rest_api.hpp"

namespace provisio::sim {
namespace {

ordered_json row(const RestContext& ctx, const User& user) {
  return ctx.viewer.admin() ? user_admin(ctx.render, user) : user_basic(ctx.render, user);
}

bool matches(const RestContext& ctx, const User& u) {
  const auto& q = ctx.request;
  if (auto name = q.query_param("username")) {
    return contains_ignoring_case(u.username, *name) && u.username.size() == name->size();
  }
  if (auto search = q.query_param("search"); search && !search->empty()) {
    if (!contains_ignoring_case(u.username, *search) && !contains_ignoring_case(u.name, *search) &&
        !(ctx.viewer.admin() && contains_ignoring_case(u.email, *search))) {
      return false;
    }
  }
  if (ctx.flag("active", false) && u.state != "active") return false;
  if (ctx.flag("blocked", false) && u.state != "blocked" && u.state != "ldap_blocked") return false;
  if (ctx.flag("humans", false) && u.bot) return false;
  if (ctx.flag("exclude_internal", false) && u.bot) return false;
  if (ctx.flag("without_project_bots", false) && u.bot) return false;
  return true;
}

}  // namespace

http::HttpResponse get_current_user(const RestContext& ctx) {
  return json_answer(200, user_self(ctx.render, *ctx.caller.user).dump());
}

http::HttpResponse get_user(const RestContext& ctx) {
  const std::string key = ctx.param("id");
  Id id = 0;
  const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
  const User* user =
      ec == std::errc() && end == key.data() + key.size() ? ctx.world.user(id) : nullptr;
  if (user == nullptr) return not_found("User");
  const ordered_json body =
      ctx.viewer.admin() ? user_admin(ctx.render, *user) : user_public(ctx.render, *user);
  return json_answer(200, body.dump());
}

http::HttpResponse list_users(const RestContext& ctx) {
  const auto& users = ctx.world.users();
  if (wants_keyset(ctx.request)) {
    const auto keyset = parse_keyset(ctx.request);
    if (!keyset) return keyset.error();
    ordered_json rows = ordered_json::array();
    std::optional<Id> last;
    bool more = false;
    const auto take = [&](const User& u) {
      if (!matches(ctx, u)) return true;
      if (rows.size() == keyset->per_page) {
        more = true;
        return false;
      }
      rows.push_back(row(ctx, u));
      last = u.id;
      return true;
    };
    if (keyset->descending) {
      auto it = keyset->before ? users.lower_bound(*keyset->before) : users.end();
      while (it != users.begin() && take((--it)->second)) {
      }
    } else {
      for (auto it = keyset->after ? users.upper_bound(*keyset->after) : users.begin();
           it != users.end() && take(it->second); ++it) {
      }
    }
    http::HttpResponse response = json_answer(200, rows.dump());
    add_keyset_headers(response, ctx.request, ctx.render.base_url, *keyset, last, more);
    return response;
  }
  const auto page = parse_page(ctx.request, "User");
  if (!page) return page.error();
  // Users are listed by id; one pass counts the matches and keeps the page.
  const bool desc = ctx.request.query_param("sort").value_or("desc") == "desc";
  ordered_json rows = ordered_json::array();
  std::size_t total = 0;
  const auto visit = [&](const User& u) {
    if (!matches(ctx, u)) return;
    if (total >= page->offset() && rows.size() < page->per_page) rows.push_back(row(ctx, u));
    ++total;
  };
  if (desc) {
    for (auto it = users.rbegin(); it != users.rend(); ++it) visit(it->second);
  } else {
    for (const auto& [id, u] : users) visit(u);
  }
  return paged_answer(ctx, rows, *page, total);
}

}  // namespace provisio::sim
