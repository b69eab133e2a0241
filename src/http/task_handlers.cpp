// The run history (api/ce), the audit log, health and status, and the OpenAPI document.
#include <charconv>
#include <sstream>

#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "http/openapi.hpp"
#include "http/request_input.hpp"

namespace provisio::http {
namespace {

Result<std::vector<TaskStatus>> read_statuses(const std::string& list) {
  std::vector<TaskStatus> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    auto status = parse_task_status(item);
    if (!status) {
      return tl::unexpected(invalid("The parameter 'status' holds '" + item +
                                    "'; use PENDING, IN_PROGRESS, SUCCESS, FAILED or CANCELED."));
    }
    out.push_back(*status);
  }
  return out;
}

Result<std::optional<Millis>> read_millis(const HttpRequest& request, std::string_view name) {
  auto text = request.query_param(name);
  if (!text) return std::optional<Millis>();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < 0) {
    return tl::unexpected(invalid("The parameter '" + std::string(name) +
                                  "' must be a time in milliseconds since 1970."));
  }
  return std::optional<Millis>(value);
}

}  // namespace

Result<HttpResponse> ce_activity(ApiContext& context, const HttpRequest& request, const Caller&) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto page = v1_page(*params, 100, 1000);
  if (!page) return fail(page);
  store::TaskQuery query;
  if (auto type = params->get("type"); type && !type->empty()) {
    query.type = parse_task_type(*type);
    if (!query.type) {
      return tl::unexpected(
          invalid("The parameter 'type' must be GITLAB_AUTH_PROVISIONING, "
                  "GITLAB_PROJECT_PERMISSIONS_PROVISIONING or GITLAB_EVENT_PROVISIONING."));
    }
  }
  if (auto status = params->get("status")) {
    auto statuses = read_statuses(*status);
    if (!statuses) return fail(statuses);
    query.statuses = std::move(*statuses);
  }
  query.page_index = page->index;
  query.page_size = page->size;
  auto tasks = context.store.list_tasks(query);
  if (!tasks) return fail(tasks);
  Json list = Json::array();
  for (const Task& t : tasks->items) list.push_back(task_json(t));
  return ok(Json{{"tasks", std::move(list)},
                 {"paging", page_json(page->index, page->size, tasks->total)}});
}

Result<HttpResponse> ce_task(ApiContext& context, const HttpRequest& request, const Caller&) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto id = params->required("id");
  if (!id) return fail(id);
  TaskId task_id = 0;
  const auto [end, ec] = std::from_chars(id->data(), id->data() + id->size(), task_id);
  if (ec != std::errc() || end != id->data() + id->size()) {
    return tl::unexpected(not_found("There is no task with the id '" + *id + "'."));
  }
  auto task = context.store.get_task(task_id);
  if (!task) {
    if (task.error().code == ErrorCode::kNotFound) {
      return tl::unexpected(not_found("There is no task with the id '" + *id + "'."));
    }
    return fail(task);
  }
  return ok(Json{{"task", task_json(*task)}});
}

Result<HttpResponse> list_audit(ApiContext& context, const HttpRequest& request, const Caller&) {
  auto page = v2_page(request, 100, 1000);
  if (!page) return fail(page);
  store::AuditQuery query;
  if (auto v = request.query_param("entityType")) query.entity_type = std::string(*v);
  if (auto v = request.query_param("entity")) query.entity = std::string(*v);
  if (auto v = request.query_param("actor")) query.actor = std::string(*v);
  if (auto v = request.query_param("user")) query.user = std::string(*v);
  if (auto v = request.query_param("taskId")) {
    TaskId id = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
    if (ec != std::errc() || end != v->data() + v->size()) {
      return tl::unexpected(invalid("The parameter 'taskId' must be a task id."));
    }
    query.task_id = id;
  }
  auto since = read_millis(request, "since");
  if (!since) return fail(since);
  query.since = *since;
  auto until = read_millis(request, "until");
  if (!until) return fail(until);
  query.until = *until;
  query.page_index = page->index;
  query.page_size = page->size;
  auto entries = context.store.list_audit(query);
  if (!entries) return fail(entries);
  Json list = Json::array();
  const auto opt = [](const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); };
  for (const AuditEntry& a : entries->items) {
    list.push_back(Json{{"id", std::to_string(a.id)},
                        {"at", format_time(a.at)},
                        {"actor", a.actor},
                        {"action", a.action},
                        {"entityType", a.entity_type},
                        {"entity", a.entity},
                        {"before", opt(a.before)},
                        {"after", opt(a.after)},
                        {"cause", opt(a.cause)},
                        {"taskId", a.task_id ? Json(std::to_string(*a.task_id)) : Json(nullptr)}});
  }
  return ok(Json{{"entries", std::move(list)},
                 {"page", page_json(page->index, page->size, entries->total)}});
}

Result<HttpResponse> health(ApiContext&, const HttpRequest& request, const Caller&) {
  return system_health(request);
}

Result<HttpResponse> status(ApiContext& context, const HttpRequest&, const Caller&) {
  return system_status(context.system);
}

Result<HttpResponse> openapi_document(ApiContext&, const HttpRequest&, const Caller&) {
  HttpResponse response;
  response.body = std::string(openapi_json());
  return response;
}

}  // namespace provisio::http
