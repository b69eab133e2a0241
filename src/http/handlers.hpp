#pragma once
// Every handler of the Web API, by area; api_routes.cpp lists them in the route table. Each
// reads its input, checks what the route's access rule cannot (e.g. acting on another user),
// calls the store or a sync service and maps the result. Errors are returned, never thrown.

#include "http/api.hpp"

namespace provisio::http {

using HandlerFn = Result<HttpResponse> (*)(ApiContext&, const HttpRequest&, const Caller&);

// session_handlers.cpp: api/authentication, api/users, api/user_tokens
Result<HttpResponse> login(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> logout(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> validate_session(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> current_user(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> change_password(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> generate_token(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> revoke_token(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> search_tokens(ApiContext&, const HttpRequest&, const Caller&);
// The session and CSRF cookies of a new session (local or GitLab login).
void add_session_cookies(HttpResponse& response, const auth::NewSession& session, Millis ttl,
                         bool secure);

// oauth_handlers.cpp: "Log in with GitLab" (the redirect to GitLab, the callback) and the
// identity providers the login page offers
Result<HttpResponse> start_gitlab_login(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> gitlab_callback(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> identity_providers(ApiContext&, const HttpRequest&, const Caller&);

// gitlab_config_handlers.cpp: the GitLab configuration, role mappings, synchronization runs
Result<HttpResponse> list_gitlab_configs(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> create_gitlab_config(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> get_gitlab_config(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> patch_gitlab_config(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> delete_gitlab_config(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> list_role_mappings(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> create_role_mapping(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> patch_role_mapping(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> delete_role_mapping(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> start_sync_run(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> confirm_held_plan(ApiContext&, const HttpRequest&, const Caller&);

// user_handlers.cpp: v2 users
Result<HttpResponse> list_users(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> create_user(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> get_user(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> patch_user(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> deactivate_user(ApiContext&, const HttpRequest&, const Caller&);

// group_handlers.cpp: v2 groups and group memberships
Result<HttpResponse> list_groups(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> create_group(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> get_group(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> patch_group(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> delete_group(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> list_memberships(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> add_membership(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> remove_membership(ApiContext&, const HttpRequest&, const Caller&);

// project_handlers.cpp: v1 projects, binding, permissions
Result<HttpResponse> create_project(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> search_projects(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> delete_project(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> update_visibility(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> set_gitlab_binding(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> add_user_permission(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> remove_user_permission(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> add_group_permission(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> remove_group_permission(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> permission_users(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> permission_groups(ApiContext&, const HttpRequest&, const Caller&);

// task_handlers.cpp: the run history, the audit log, health, status, the OpenAPI document
Result<HttpResponse> ce_activity(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> ce_task(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> list_audit(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> health(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> status(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> openapi_document(ApiContext&, const HttpRequest&, const Caller&);

// provisioning_handlers.cpp: explain, the provisioning status (with the token's health), metrics
Result<HttpResponse> explain_access(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> provisioning_status(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> metrics_page(ApiContext&, const HttpRequest&, const Caller&);

// event_handlers.cpp: GitLab system hooks and group webhooks
Result<HttpResponse> receive_gitlab_event(ApiContext&, const HttpRequest&, const Caller&);

// plan_handlers.cpp: the plan preview (the dry run of a full sync)
Result<HttpResponse> plan_preview(ApiContext&, const HttpRequest&, const Caller&);
Result<HttpResponse> held_plan(ApiContext&, const HttpRequest&, const Caller&);

}  // namespace provisio::http
