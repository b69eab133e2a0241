#include "http/api_routes.hpp"

#include "http/api_auth.hpp"
#include "http/handlers.hpp"

namespace provisio::http {
namespace {

struct Row {
  const char* method;
  const char* pattern;
  Access access;
  const char* summary;
  HandlerFn handler;
};

constexpr Access kPublic = Access::kPublic;
constexpr Access kUser = Access::kAuthenticated;
constexpr Access kAdmin = Access::kAdmin;

// clang-format off
constexpr Row kRoutes[] = {
  // v1: sessions, the caller, tokens
  {"POST", "/api/authentication/login", kPublic, "Log in with a local login and password", login},
  {"POST", "/api/authentication/logout", kPublic, "End the session", logout},
  {"GET", "/api/authentication/validate", kPublic, "Whether the caller is authenticated", validate_session},
  {"GET", "/api/users/current", kPublic, "The caller", current_user},
  {"GET", "/api/v2/authentication/providers", kPublic, "The identity providers the login page offers", identity_providers},
  {"GET", "/sessions/init/gitlab", kPublic, "Start logging in with GitLab (a redirect to GitLab)", start_gitlab_login},
  {"GET", "/oauth2/callback/gitlab", kPublic, "Finish logging in with GitLab (GitLab redirects here)", gitlab_callback},
  {"POST", "/api/users/change_password", kUser, "Change a local user's password", change_password},
  {"POST", "/api/user_tokens/generate", kUser, "Generate a user token", generate_token},
  {"POST", "/api/user_tokens/revoke", kUser, "Revoke a user token", revoke_token},
  {"GET", "/api/user_tokens/search", kUser, "List a user's tokens", search_tokens},
  // v1: projects, binding, permissions
  {"POST", "/api/projects/create", kAdmin, "Create a project", create_project},
  {"GET", "/api/projects/search", kAdmin, "Search projects", search_projects},
  {"POST", "/api/projects/delete", kAdmin, "Delete a project", delete_project},
  {"POST", "/api/projects/update_visibility", kAdmin, "Change a project's visibility", update_visibility},
  {"POST", "/api/alm_settings/set_gitlab_binding", kAdmin, "Bind a project to a GitLab project", set_gitlab_binding},
  {"POST", "/api/permissions/add_user", kAdmin, "Grant a permission to a user", add_user_permission},
  {"POST", "/api/permissions/remove_user", kAdmin, "Revoke a permission from a user", remove_user_permission},
  {"POST", "/api/permissions/add_group", kAdmin, "Grant a permission to a group", add_group_permission},
  {"POST", "/api/permissions/remove_group", kAdmin, "Revoke a permission from a group", remove_group_permission},
  {"GET", "/api/permissions/users", kAdmin, "Users holding permissions", permission_users},
  {"GET", "/api/permissions/groups", kAdmin, "Groups holding permissions", permission_groups},
  // v1: run history, system
  {"GET", "/api/ce/activity", kAdmin, "The run history", ce_activity},
  {"GET", "/api/ce/task", kAdmin, "One run", ce_task},
  {"GET", "/api/system/health", kPublic, "Liveness", health},
  {"GET", "/api/system/status", kPublic, "Readiness", status},
  // v2: GitLab configuration, role mappings, synchronization
  {"GET", "/api/v2/dop-translation/gitlab-configurations", kAdmin, "List the GitLab configuration", list_gitlab_configs},
  {"POST", "/api/v2/dop-translation/gitlab-configurations", kAdmin, "Create the GitLab configuration", create_gitlab_config},
  {"GET", "/api/v2/dop-translation/gitlab-configurations/{id}", kAdmin, "Read the GitLab configuration", get_gitlab_config},
  {"PATCH", "/api/v2/dop-translation/gitlab-configurations/{id}", kAdmin, "Change the GitLab configuration", patch_gitlab_config},
  {"DELETE", "/api/v2/dop-translation/gitlab-configurations/{id}", kAdmin, "Delete the GitLab configuration", delete_gitlab_config},
  {"GET", "/api/v2/dop-translation/gitlab-permission-mappings", kAdmin, "List the role mappings", list_role_mappings},
  {"POST", "/api/v2/dop-translation/gitlab-permission-mappings", kAdmin, "Add a custom role", create_role_mapping},
  {"PATCH", "/api/v2/dop-translation/gitlab-permission-mappings/{role}", kAdmin, "Change a role's permissions", patch_role_mapping},
  {"DELETE", "/api/v2/dop-translation/gitlab-permission-mappings/{role}", kAdmin, "Delete a custom role", delete_role_mapping},
  {"POST", "/api/v2/dop-translation/gitlab-synchronization-runs", kAdmin, "Queue a full synchronization now", start_sync_run},
  {"GET", "/api/v2/provisioning/plan", kAdmin, "The dry run of a full synchronization: counts and a page of changes with their causes", plan_preview},
  {"GET", "/api/v2/provisioning/plan/{taskId}", kAdmin, "A plan the guard held back: counts and a page of changes with their causes", held_plan},
  {"POST", "/api/v2/provisioning/plan/{taskId}/confirm", kAdmin, "Apply the plan the guard held back for a task", confirm_held_plan},
  // v2: users, groups, memberships
  {"GET", "/api/v2/users-management/users", kUser, "List users", list_users},
  {"POST", "/api/v2/users-management/users", kAdmin, "Create a local user", create_user},
  {"GET", "/api/v2/users-management/users/{id}", kUser, "Read a user", get_user},
  {"PATCH", "/api/v2/users-management/users/{id}", kAdmin, "Change a user", patch_user},
  {"DELETE", "/api/v2/users-management/users/{id}", kAdmin, "Deactivate a user", deactivate_user},
  {"GET", "/api/v2/authorizations/groups", kUser, "List groups", list_groups},
  {"POST", "/api/v2/authorizations/groups", kAdmin, "Create a group", create_group},
  {"GET", "/api/v2/authorizations/groups/{id}", kUser, "Read a group", get_group},
  {"PATCH", "/api/v2/authorizations/groups/{id}", kAdmin, "Change a group", patch_group},
  {"DELETE", "/api/v2/authorizations/groups/{id}", kAdmin, "Delete a group", delete_group},
  {"GET", "/api/v2/authorizations/group-memberships", kUser, "List group memberships", list_memberships},
  {"POST", "/api/v2/authorizations/group-memberships", kAdmin, "Add a user to a group", add_membership},
  {"DELETE", "/api/v2/authorizations/group-memberships/{id}", kAdmin, "Remove a user from a group", remove_membership},
  // Provisio's own
  {"GET", "/api/v2/provisioning/audit", kAdmin, "The audit log", list_audit},
  {"GET", "/api/v2/provisioning/explain", kAdmin, "Why a user holds each permission on a project, or belongs to a group", explain_access},
  // Authenticated by the webhook secret in X-Gitlab-Token, not by a user: GitLab sends it.
  {"POST", "/api/v2/provisioning/gitlab-events", kPublic, "Receive a GitLab system hook or group webhook (X-Gitlab-Token)", receive_gitlab_event},
  {"GET", "/api/v2/provisioning/status", kAdmin, "The provisioning mode, the last and next runs, the token's health", provisioning_status},
  // Admin unless the server is started with metrics public (ApiContext::metrics_public).
  {"GET", "/metrics", kAdmin, "Prometheus metrics (text format 0.0.4)", metrics_page},
  {"GET", "/api/v2/openapi.json", kPublic, "This API as an OpenAPI 3 document", openapi_document},
};
// clang-format on

}  // namespace

std::vector<ApiRoute> api_routes(ApiContext& context) {
  std::vector<ApiRoute> out;
  for (const Row& row : kRoutes) {
    const Access access =
        row.handler == &metrics_page && context.metrics_public ? kPublic : row.access;
    out.push_back(ApiRoute{row.method, row.pattern, access, row.summary,
                           [&context, fn = row.handler](const HttpRequest& r, const Caller& c) {
                             return fn(context, r, c);
                           }});
  }
  return out;
}

void add_api_routes(Router& router, ApiContext& context) {
  if (context.metrics != nullptr) {
    router.set_observer([metrics = context.metrics](const HttpRequest& request,
                                                    std::string_view route,
                                                    const HttpResponse& response,
                                                    std::chrono::steady_clock::duration took) {
      metrics->http_request(request.method, route, response.status,
                            std::chrono::duration<double>(took).count());
    });
  }
  for (ApiRoute& route : api_routes(context)) {
    const std::string method = route.method;
    const std::string pattern = route.pattern;
    router.add(method, pattern, [&context, route = std::move(route)](const HttpRequest& r) {
      return call_route(context, route, r);
    });
  }
}

}  // namespace provisio::http
