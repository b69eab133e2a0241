#pragma once
// The audit log: every change made by a sync, a login or an administrator (behaviour.md §1).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/task.hpp"
#include "core/time.hpp"

namespace provisio {

struct AuditEntry {
  std::int64_t id = 0;
  Millis at = 0;
  std::string actor;        // a login, "sync", or "login"
  std::string action;       // e.g. "user.create", "membership.add", "permission.revoke"
  std::string entity_type;  // "user", "group", "membership", "permission", "project", "config"
  std::string entity;       // a readable key: login, group name, "group/login", ...
  std::optional<std::string> before;
  std::optional<std::string> after;
  std::optional<std::string> cause;  // for sync changes: the GitLab fact behind it
  std::optional<TaskId> task_id;
};

// One row, as the sync's plan and the login write them.
inline AuditEntry audit_entry(Millis at, std::string_view actor, std::string action,
                              std::string entity_type, std::string entity,
                              std::optional<std::string> before, std::optional<std::string> after,
                              std::optional<std::string> cause) {
  AuditEntry e;
  e.at = at;
  e.actor = std::string(actor);
  e.action = std::move(action);
  e.entity_type = std::move(entity_type);
  e.entity = std::move(entity);
  e.before = std::move(before);
  e.after = std::move(after);
  e.cause = std::move(cause);
  return e;
}

}  // namespace provisio
