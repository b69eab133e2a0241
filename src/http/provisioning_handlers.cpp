// Provisio's own observability routes (api.md, "beyond SonarQube"): explain, the provisioning
// status with the token's health, and the Prometheus metrics.
#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "sync/run_status.hpp"
#include "sync/worker.hpp"

namespace provisio::http {
namespace {

Json optional_text(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }

}  // namespace

Result<HttpResponse> explain_access(ApiContext& context, const HttpRequest& request,
                                    const Caller&) {
  if (!context.explain) {
    return tl::unexpected(
        Error{ErrorCode::kUnavailable, "This server cannot explain access (no GitLab reader)."});
  }
  sync::ExplainRequest query;
  const auto login = request.query_param("login");
  if (!login || login->empty()) return tl::unexpected(invalid("The parameter 'login' is missing."));
  query.login = std::string(*login);
  if (auto key = request.query_param("projectKey"); key && !key->empty()) {
    query.project_key = std::string(*key);
  }
  if (auto group = request.query_param("group"); group && !group->empty()) {
    query.group = std::string(*group);
  }
  if (query.project_key.has_value() == query.group.has_value()) {
    return tl::unexpected(
        invalid("Give either 'projectKey' (a project's key) or 'group' (a group's name: a mirrored "
                "group is named by its GitLab full path), not both."));
  }
  auto explanation = context.explain(query);
  if (!explanation) return fail(explanation);
  return ok(explanation_json(*explanation));
}

Result<HttpResponse> provisioning_status(ApiContext& context, const HttpRequest&, const Caller&) {
  auto config = context.store.load_gitlab_config();
  if (!config) return fail(config);
  store::TaskQuery q;
  q.page_size = 20;
  auto tasks = context.store.list_tasks(q);
  if (!tasks) return fail(tasks);
  const auto [last, next] = sync::run_status(tasks->items);
  const bool enabled = *config && (*config)->enabled;
  const bool automatic =
      enabled && (*config)->provisioning_type == ProvisioningType::kAutoProvisioning;
  Json next_json = nullptr;
  if (next) {
    next_json = Json{{"status", to_string(next->status)}, {"at", format_time(next->submitted_at)}};
  } else if (automatic && last && last->finished_at) {
    next_json = Json{{"status", "SCHEDULED"},
                     {"at", format_time(*last->finished_at + sync::kSyncInterval)}};
  }
  Json token = nullptr;
  if (enabled && (*config)->provisioning_token && context.check_gitlab) {
    const GitlabCheckResult check = context.check_gitlab(**config);
    token = Json{{"errorMessage", optional_text(check.error)}, {"warnings", check.warnings}};
  }
  return ok(Json{{"mode", !enabled    ? "DISABLED"
                          : automatic ? "AUTO_PROVISIONING"
                                      : "JIT"},
                 {"lastRun", last ? task_json(*last) : Json(nullptr)},
                 {"next", std::move(next_json)},
                 {"token", std::move(token)}});
}

Result<HttpResponse> metrics_page(ApiContext& context, const HttpRequest&, const Caller&) {
  if (context.metrics == nullptr) {
    return tl::unexpected(Error{ErrorCode::kUnavailable, "Metrics are not collected here."});
  }
  // The state gauges are read from the database at each scrape: they hold for every node and
  // survive restarts, where a value kept in memory would not.
  store::UserQuery users;
  users.managed = true;
  users.active = true;
  users.page_size = 1;
  auto managed_users = context.store.list_users(users);
  if (!managed_users) return fail(managed_users);
  store::GroupQuery groups;
  groups.managed = true;
  groups.page_size = 1;
  auto managed_groups = context.store.list_groups(groups);
  if (!managed_groups) return fail(managed_groups);
  context.metrics->set_managed(managed_users->total, managed_groups->total);
  store::TaskQuery runs;
  runs.type = TaskType::kGitlabAuthProvisioning;
  runs.statuses = {TaskStatus::kSuccess};
  runs.page_size = 1;
  auto last = context.store.list_tasks(runs);
  if (!last) return fail(last);
  if (!last->items.empty() && last->items.front().finished_at) {
    context.metrics->set_last_success(static_cast<double>(*last->items.front().finished_at) /
                                      1000.0);
  }
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = context.metrics->render();
  return response;
}

}  // namespace provisio::http
