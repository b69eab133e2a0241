// v1 projects, their GitLab binding, and permissions (global and per project).
#include <algorithm>
#include <map>
#include <set>

#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "http/managed_rules.hpp"
#include "http/request_input.hpp"
#include "sync/projects.hpp"

namespace provisio::http {
namespace {

Result<Visibility> read_visibility(const Params& params, bool required) {
  auto text = params.get("visibility");
  if (!text) {
    if (required) return tl::unexpected(invalid("The parameter 'visibility' is missing."));
    return Visibility::kPublic;
  }
  auto v = parse_visibility(*text);
  if (!v) return tl::unexpected(invalid("The parameter 'visibility' must be public or private."));
  return *v;
}

Result<Project> project_by_key(ApiContext& context, const std::string& key) {
  auto project = context.store.find_project_by_key(key);
  if (!project && project.error().code == ErrorCode::kNotFound) {
    return tl::unexpected(not_found("There is no project with the key '" + key + "'."));
  }
  return project;
}

// The grant a permissions call names: the permission (a global one without projectKey, a
// project one with it) and the project, if any.
struct Target {
  std::optional<Project> project;
  std::string permission;
};

Result<Target> read_target(ApiContext& context, const Params& params) {
  auto permission = params.required("permission");
  if (!permission) return fail(permission);
  Target t;
  t.permission = *permission;
  const auto key = params.get("projectKey");
  if (key && !key->empty()) {
    auto project = project_by_key(context, *key);
    if (!project) return fail(project);
    t.project = *project;
    if (!parse_project_permission(t.permission)) {
      return tl::unexpected(
          invalid("The parameter 'permission' must be one of user, codeviewer, "
                  "issueadmin, securityhotspotadmin, admin, scan."));
    }
  } else if (!parse_global_permission(t.permission)) {
    return tl::unexpected(
        invalid("The parameter 'permission' must be one of admin, gateadmin, "
                "profileadmin, scan, provisioning."));
  }
  return t;
}

std::string grant_entity(const Target& t, const std::string& holder) {
  return (t.project ? t.project->key : std::string("(global)")) + "/" + holder + "/" + t.permission;
}

enum class Change { kGrant, kRevoke };

// Who a v1 grant is for: a user (`login`) or a group (`groupName`).
struct Holder {
  std::optional<User> user;
  std::optional<Group> group;
  const std::string& name() const { return user ? user->login : group->name; }
};

Result<Holder> read_holder(ApiContext& context, const Params& params, bool is_user) {
  auto name = params.required(is_user ? "login" : "groupName");
  if (!name) return fail(name);
  if (is_user) {
    auto user = context.store.find_user_by_login(*name);
    if (user) return Holder{*user, std::nullopt};
    if (user.error().code != ErrorCode::kNotFound) return fail(user);
    return tl::unexpected(not_found("There is no user with the login '" + *name + "'."));
  }
  auto group = context.store.find_group_by_name(*name);
  if (group) return Holder{std::nullopt, *group};
  if (group.error().code != ErrorCode::kNotFound) return fail(group);
  return tl::unexpected(not_found("There is no group named '" + *name + "'."));
}

Result<HttpResponse> change_permission(ApiContext& context, const HttpRequest& request,
                                       const Caller& caller, Change change, bool is_user) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  if (auto name = params->required(is_user ? "login" : "groupName"); !name) return fail(name);
  auto target = read_target(context, *params);
  if (!target) return fail(target);
  auto holder = read_holder(context, *params, is_user);
  if (!holder) return fail(holder);
  const User* user = holder->user ? &*holder->user : nullptr;
  if (target->project) {
    auto managed = managed_instance(context.store);
    if (!managed) return fail(managed);
    auto allowed = change == Change::kGrant ? may_grant(*managed, *target->project, user)
                                            : may_revoke(*managed, *target->project, user);
    if (!allowed) return fail(allowed);
  }
  if (change == Change::kGrant && user != nullptr && !user->active) {
    return tl::unexpected(invalid("The user '" + user->login + "' is inactive."));
  }
  PermissionGrant g;
  g.project_id = target->project ? std::optional<ProjectId>(target->project->id) : std::nullopt;
  if (user != nullptr) {
    g.user_id = user->id;
  } else {
    g.group_id = holder->group->id;
  }
  g.permission = target->permission;
  auto lock = admin_change_lock();
  if (change == Change::kRevoke && !g.project_id && g.permission == "admin") {
    AdminLoss loss;
    if (user != nullptr) {
      loss.direct_grants.insert(user->id);
    } else {
      loss.groups.insert(holder->group->id);
    }
    if (auto kept = keeps_an_administrator(
            context, loss,
            "Revoking 'admin' from " + std::string(user != nullptr ? "the user '" : "the group '") +
                holder->name() + "'");
        !kept) {
      return fail(kept);
    }
  }
  auto done = change == Change::kGrant ? context.store.grant(g) : context.store.revoke(g);
  if (!done) return fail(done);
  audit(context, caller, change == Change::kGrant ? "permission.grant" : "permission.revoke",
        "permission", grant_entity(*target, holder->name()));
  return no_content();
}

// The grants a holders listing looks at: of the project named by projectKey, else the global
// ones; only `permission` when given.
Result<std::vector<PermissionGrant>> listed_grants(ApiContext& context, const Params& params) {
  std::optional<ProjectId> project;
  if (auto key = params.get("projectKey"); key && !key->empty()) {
    auto p = project_by_key(context, *key);
    if (!p) return fail(p);
    project = p->id;
  }
  auto grants = context.store.grants(project);
  if (!grants) return fail(grants);
  if (auto permission = params.get("permission"); permission && !permission->empty()) {
    const bool known = project ? parse_project_permission(*permission).has_value()
                               : parse_global_permission(*permission).has_value();
    if (!known) return tl::unexpected(invalid("Unknown permission '" + *permission + "'."));
    std::erase_if(*grants, [&](const PermissionGrant& g) { return g.permission != *permission; });
  }
  return grants;
}

bool matches(const std::string& text, const std::string& q) {
  if (q.empty()) return true;
  std::string a = text, b = q;
  std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return std::tolower(c); });
  std::transform(b.begin(), b.end(), b.begin(), [](unsigned char c) { return std::tolower(c); });
  return a.find(b) != std::string::npos;
}

}  // namespace

Result<HttpResponse> create_project(ApiContext& context, const HttpRequest& request,
                                    const Caller& caller) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto key = params->required("project");
  if (!key) return fail(key);
  auto name = params->required("name");
  if (!name) return fail(name);
  auto visibility = read_visibility(*params, false);
  if (!visibility) return fail(visibility);
  auto project = sync::create_project(context.store, *key, *name, *visibility, caller.login());
  if (!project) return fail(project);
  return ok(Json{{"project", project_json(*project)}});
}

Result<HttpResponse> search_projects(ApiContext& context, const HttpRequest& request,
                                     const Caller&) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto page = v1_page(*params);
  if (!page) return fail(page);
  auto projects =
      context.store.list_projects(params->get("q").value_or(""), page->index, page->size);
  if (!projects) return fail(projects);
  Json list = Json::array();
  for (const Project& p : projects->items) list.push_back(project_json(p));
  return ok(Json{{"paging", page_json(page->index, page->size, projects->total)},
                 {"components", std::move(list)}});
}

Result<HttpResponse> delete_project(ApiContext& context, const HttpRequest& request,
                                    const Caller& caller) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto key = params->required("project");
  if (!key) return fail(key);
  auto project = project_by_key(context, *key);
  if (!project) return fail(project);
  if (auto deleted = context.store.delete_project(project->id); !deleted) return fail(deleted);
  audit(context, caller, "project.delete", "project", project->key);
  return no_content();
}

Result<HttpResponse> update_visibility(ApiContext& context, const HttpRequest& request,
                                       const Caller& caller) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto key = params->required("project");
  if (!key) return fail(key);
  auto visibility = read_visibility(*params, true);
  if (!visibility) return fail(visibility);
  auto project = project_by_key(context, *key);
  if (!project) return fail(project);
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_change_visibility(*managed, *project); !allowed) return fail(allowed);
  Project changed = *project;
  changed.visibility = *visibility;
  if (auto saved = context.store.update_project(changed); !saved) return fail(saved);
  audit(context, caller, "project.visibility", "project", project->key,
        std::string(to_string(project->visibility)), std::string(to_string(*visibility)));
  return no_content();
}

Result<HttpResponse> set_gitlab_binding(ApiContext& context, const HttpRequest& request,
                                        const Caller& caller) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto key = params->required("project");
  if (!key) return fail(key);
  auto repository = params->required("repository");
  if (!repository) return fail(repository);
  if (auto project = project_by_key(context, *key); !project) return fail(project);
  auto bound = sync::bind_project(context.store, context.clock, *key, *repository, caller.login());
  if (!bound) return fail(bound);
  return no_content();
}

Result<HttpResponse> add_user_permission(ApiContext& c, const HttpRequest& r, const Caller& who) {
  return change_permission(c, r, who, Change::kGrant, true);
}
Result<HttpResponse> remove_user_permission(ApiContext& c, const HttpRequest& r,
                                            const Caller& who) {
  return change_permission(c, r, who, Change::kRevoke, true);
}
Result<HttpResponse> add_group_permission(ApiContext& c, const HttpRequest& r, const Caller& who) {
  return change_permission(c, r, who, Change::kGrant, false);
}
Result<HttpResponse> remove_group_permission(ApiContext& c, const HttpRequest& r,
                                             const Caller& who) {
  return change_permission(c, r, who, Change::kRevoke, false);
}

Result<HttpResponse> permission_users(ApiContext& context, const HttpRequest& request,
                                      const Caller&) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto page = v1_page(*params, 20, 100);
  if (!page) return fail(page);
  // Paged in the database: a bound project of a large GitLab has thousands of holders.
  store::PermissionUsersQuery query;
  if (auto key = params->get("projectKey"); key && !key->empty()) {
    auto p = project_by_key(context, *key);
    if (!p) return fail(p);
    query.project = p->id;
  }
  if (auto permission = params->get("permission"); permission && !permission->empty()) {
    const bool known = query.project ? parse_project_permission(*permission).has_value()
                                     : parse_global_permission(*permission).has_value();
    if (!known) return tl::unexpected(invalid("Unknown permission '" + *permission + "'."));
    query.permission = *permission;
  }
  query.q = params->get("q").value_or("");
  query.page_index = page->index;
  query.page_size = page->size;
  auto holders = context.store.list_permission_users(query);
  if (!holders) return fail(holders);
  Json list = Json::array();
  for (const store::UserPermissions& h : holders->items) {
    const User& u = h.user;
    list.push_back(Json{{"login", u.login},
                        {"name", u.name},
                        {"email", u.email ? Json(*u.email) : Json(nullptr)},
                        {"managed", u.managed},
                        {"permissions", h.permissions}});
  }
  return ok(Json{{"paging", page_json(page->index, page->size, holders->total)},
                 {"users", std::move(list)}});
}

Result<HttpResponse> permission_groups(ApiContext& context, const HttpRequest& request,
                                       const Caller&) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto page = v1_page(*params, 20, 100);
  if (!page) return fail(page);
  auto grants = listed_grants(context, *params);
  if (!grants) return fail(grants);
  std::map<GroupId, std::set<std::string>> held;
  for (const PermissionGrant& g : *grants) {
    if (g.group_id) held[*g.group_id].insert(g.permission);
  }
  const std::string q = params->get("q").value_or("");
  std::vector<std::pair<Group, std::set<std::string>>> rows;
  for (const auto& [id, permissions] : held) {
    auto group = context.store.get_group(id);
    if (!group) return fail(group);
    if (matches(group->name, q)) rows.emplace_back(*group, permissions);
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first.name < b.first.name; });
  Json list = Json::array();
  const std::size_t start = static_cast<std::size_t>(page->index - 1) * page->size;
  for (std::size_t i = start; i < rows.size() && i < start + page->size; ++i) {
    const Group& g = rows[i].first;
    list.push_back(Json{{"id", g.uuid},
                        {"name", g.name},
                        {"description", g.description},
                        {"managed", g.managed},
                        {"permissions", rows[i].second}});
  }
  return ok(
      Json{{"paging", page_json(page->index, page->size, static_cast<std::int64_t>(rows.size()))},
           {"groups", std::move(list)}});
}

}  // namespace provisio::http
