#pragma once
// Small helpers shared by the handler files: answers, the managed-instance flag, the audit line
// of an administrator's change. Internal to src/http.

#include <mutex>
#include <optional>
#include <string>

#include "http/api.hpp"
#include "http/api_json.hpp"

namespace provisio::http {

HttpResponse ok(const Json& body, int status = 200);
// A 200 whose JSON body is already written (JsonWriter).
HttpResponse ok_written(std::string body);
HttpResponse no_content();

// The error of a failed result, for `return fail(r);` in a handler.
template <typename T>
tl::unexpected<Error> fail(const Result<T>& result) {
  return tl::unexpected<Error>(result.error());
}

Error invalid(std::string message);
Error not_found(std::string message);
Error forbidden(std::string message);

// True while automatic provisioning is enabled (managed_rules.hpp).
Result<bool> managed_instance(store::Store& store);

// One audit row for a change made through the API; a failure to write it is logged, not fatal.
void audit(ApiContext& context, const Caller& caller, std::string action, std::string entity_type,
           std::string entity, std::optional<std::string> before = std::nullopt,
           std::optional<std::string> after = std::nullopt);

// "Never without an administrator" (core/admin_guard.hpp) for a change made through the API:
// kFailedPrecondition (400) when the change would leave no active holder of global `admin`.
// Hold admin_change_lock() from the check until the change is written, so that two changes on
// this node cannot each see the other's holder still there. (Two nodes at the same instant can;
// docs/security.md says how to recover.)
[[nodiscard]] std::unique_lock<std::mutex> admin_change_lock();
Status keeps_an_administrator(ApiContext& context, const AdminLoss& loss, std::string_view change);

// The global permissions `user` holds, directly or through a group, sorted.
Result<std::vector<std::string>> global_permissions(store::Store& store, const User& user);

}  // namespace provisio::http
