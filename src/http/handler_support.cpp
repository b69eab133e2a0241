#include "http/handler_support.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "http/json_response.hpp"
#include "http/managed_rules.hpp"

namespace provisio::http {

HttpResponse ok(const Json& body, int status) { return json_response(status, body); }

HttpResponse ok_written(std::string body) {
  HttpResponse response;
  response.status = 200;
  response.body = std::move(body);
  return response;
}

HttpResponse no_content() {
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

Error invalid(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}
Error not_found(std::string message) { return Error{ErrorCode::kNotFound, std::move(message)}; }
Error forbidden(std::string message) {
  return Error{ErrorCode::kPermissionDenied, std::move(message)};
}

Result<bool> managed_instance(store::Store& store) {
  auto config = store.load_gitlab_config();
  if (!config) return fail(config);
  return is_managed_instance(*config);
}

void audit(ApiContext& context, const Caller& caller, std::string action, std::string entity_type,
           std::string entity, std::optional<std::string> before,
           std::optional<std::string> after) {
  AuditEntry a;
  a.at = context.clock.now();
  a.actor = caller.login();
  a.action = std::move(action);
  a.entity_type = std::move(entity_type);
  a.entity = std::move(entity);
  a.before = std::move(before);
  a.after = std::move(after);
  if (auto written = context.store.append_audit({a}); !written) {
    spdlog::warn("could not write the audit row of {}: {}", a.action, written.error().message);
  }
}

std::unique_lock<std::mutex> admin_change_lock() {
  static std::mutex mutex;
  return std::unique_lock<std::mutex>(mutex);
}

Status keeps_an_administrator(ApiContext& context, const AdminLoss& loss, std::string_view change) {
  auto holdings = context.store.admin_holdings();
  if (!holdings) return tl::unexpected(holdings.error());
  return provisio::keeps_an_administrator(*holdings, loss, change);
}

Result<std::vector<std::string>> global_permissions(store::Store& store, const User& user) {
  auto global = store.grants(std::nullopt);
  if (!global) return fail(global);
  auto groups = store.user_groups(user.id);
  if (!groups) return fail(groups);
  std::set<std::string> held;
  for (const PermissionGrant& g : *global) {
    const bool mine =
        (g.user_id && *g.user_id == user.id) ||
        (g.group_id && std::find(groups->begin(), groups->end(), *g.group_id) != groups->end());
    if (mine) held.insert(g.permission);
  }
  return std::vector<std::string>(held.begin(), held.end());
}

}  // namespace provisio::http
