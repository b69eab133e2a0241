#pragma once
// The GitLab REST endpoints the simulator serves, as a plain table. Each handler is a function
// of a RestContext (the world under a read lock, the request, the authenticated caller) and
// returns the answer; authentication, counters, faults and latency are applied around it by the
// Simulator, which also holds the lock.

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth.hpp"
#include "effective_access.hpp"
#include "entities.hpp"
#include "http/http_types.hpp"
#include "pagination.hpp"
#include "request_counters.hpp"
#include "visibility.hpp"
#include "world.hpp"

namespace provisio::sim {

// Effective member lists, computed once per source and world version: a sync reads /members/all
// page after page, and a root with 100,000 members is costly to resolve for every page.
// Thread-safe.
class EffectiveCache {
 public:
  using List = std::shared_ptr<const std::vector<EffectiveMember>>;
  List get(const World& world, SourceKind kind, Id source_id, std::string_view today);

 private:
  static constexpr std::size_t kMaxEntries = 256;
  std::mutex mutex_;
  std::uint64_t version_ = 0;
  std::string today_;
  std::unordered_map<Id, List> groups_;
  std::unordered_map<Id, List> projects_;
};

struct RestContext {
  const World& world;
  const http::HttpRequest& request;
  const Caller& caller;
  RenderContext render;
  Viewer viewer;
  EffectiveCache& cache;
  RequestCounters* counters = nullptr;  // for what GraphQL requests asked

  std::string_view today() const { return render.today; }
  // The path parameter, decoded.
  std::string param(const std::string& name) const;
  // A boolean query parameter ("true"/"false"); `fallback` when absent.
  bool flag(std::string_view name, bool fallback) const;
};

using RestHandler = http::HttpResponse (*)(const RestContext&);

struct RestRoute {
  const char* method;
  const char* pattern;  // Router syntax; `{id}` is a numeric id or a URL-encoded full path
  AuthRule auth;
  RestHandler handler;
};

// Every endpoint under /api/v4 (and /api/graphql).
const std::vector<RestRoute>& rest_routes();

// --- handlers, grouped by file ---
// rest_users.cpp
http::HttpResponse get_current_user(const RestContext& ctx);
http::HttpResponse list_users(const RestContext& ctx);
http::HttpResponse get_user(const RestContext& ctx);
// rest_groups.cpp
http::HttpResponse list_groups(const RestContext& ctx);
http::HttpResponse get_group(const RestContext& ctx);
http::HttpResponse list_subgroups(const RestContext& ctx);
http::HttpResponse list_descendant_groups(const RestContext& ctx);
http::HttpResponse list_groups_invited_into(const RestContext& ctx);
http::HttpResponse list_group_projects(const RestContext& ctx);
// rest_projects.cpp
http::HttpResponse list_projects(const RestContext& ctx);
http::HttpResponse get_project(const RestContext& ctx);
// rest_members.cpp
http::HttpResponse list_group_members(const RestContext& ctx);
http::HttpResponse list_all_group_members(const RestContext& ctx);
http::HttpResponse get_group_member(const RestContext& ctx);
http::HttpResponse get_any_group_member(const RestContext& ctx);
http::HttpResponse set_group_member_state(const RestContext& ctx);
http::HttpResponse list_project_members(const RestContext& ctx);
http::HttpResponse list_all_project_members(const RestContext& ctx);
http::HttpResponse get_project_member(const RestContext& ctx);
http::HttpResponse get_any_project_member(const RestContext& ctx);
// rest_misc.cpp
http::HttpResponse get_token_self(const RestContext& ctx);
http::HttpResponse get_token_associations(const RestContext& ctx);
http::HttpResponse list_group_member_roles(const RestContext& ctx);
http::HttpResponse list_member_roles(const RestContext& ctx);
http::HttpResponse post_graphql(const RestContext& ctx);

// --- helpers shared by the handlers ---
// The group named by `{id}` if the caller may see it.
const Group* find_visible_group(const RestContext& ctx);
const Project* find_visible_project(const RestContext& ctx);
// A JSON array answer with offset pagination headers.
http::HttpResponse paged_answer(const RestContext& ctx, const ordered_json& rows,
                                const PageRequest& page, std::size_t total);
// Sorts groups by the request's order_by (name, path, id; default name) and sort (asc).
void sort_groups(const RestContext& ctx, std::vector<const Group*>& groups);
// Sorts projects by order_by (created_at = id, id, name, path; default created_at) and sort
// (desc).
void sort_projects(const RestContext& ctx, std::vector<const Project*>& projects);
// True when `text` contains `needle`, ignoring case.
bool contains_ignoring_case(std::string_view text, std::string_view needle);

}  // namespace provisio::sim
