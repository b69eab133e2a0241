#pragma once
// Rows as SOCI reads them: each struct binds its columns, in the order of its kColumns, to a
// statement with into(), and converts to the domain type. Internal to src/store.

#include <soci/soci.h>

#include "core/audit.hpp"
#include "core/group.hpp"
#include "core/permission.hpp"
#include "core/project.hpp"
#include "core/task.hpp"
#include "core/user.hpp"

namespace provisio::store::rows {

struct UserRow {
  static constexpr const char* kColumns =
      "id, uuid, login, name, email, active, is_local, managed, external_provider, external_id, "
      "external_login, created_at, updated_at, last_connection_at";
  long long id = 0;
  std::string uuid, login, name, email, provider, external_id, external_login;
  soci::indicator email_ind = soci::i_ok, external_id_ind = soci::i_ok,
                  external_login_ind = soci::i_ok, last_ind = soci::i_ok;
  int active = 0, local = 0, managed = 0;
  long long created = 0, updated = 0, last = 0;
  void bind(soci::statement& st);
  User get() const;
};

struct GroupRow {
  static constexpr const char* kColumns =
      "id, uuid, name, description, managed, is_default, external_id";
  long long id = 0;
  std::string uuid, name, description, external_id;
  int managed = 0, is_default = 0;
  soci::indicator external_id_ind = soci::i_ok;
  void bind(soci::statement& st);
  Group get() const;
};

struct ProjectRow {
  static constexpr const char* kColumns =
      "id, uuid, project_key, name, visibility, gitlab_project_id";
  long long id = 0, gitlab_id = 0;
  std::string uuid, key, name, visibility;
  soci::indicator gitlab_ind = soci::i_ok;
  void bind(soci::statement& st);
  Project get() const;
};

struct GrantRow {
  static constexpr const char* kColumns = "project_id, user_id, group_id, permission";
  long long project_id = 0, user_id = 0, group_id = 0;
  soci::indicator project_ind = soci::i_ok, user_ind = soci::i_ok, group_ind = soci::i_ok;
  std::string permission;
  void bind(soci::statement& st);
  PermissionGrant get() const;
};

struct TaskRow {
  static constexpr const char* kColumns =
      "id, uuid, task_type, status, project_id, submitter, submitted_at, started_at, finished_at, "
      "node_id, lease_until, info_messages, warnings, error_message, counts, held, progress, "
      "scope, "
      "users_total, groups_total, projects_total";
  long long id = 0, project_id = 0, submitted = 0, started = 0, finished = 0, lease = 0;
  long long users_total = 0, groups_total = 0, projects_total = 0;
  std::string uuid, type, status, submitter, node, info, warnings, error, counts, progress, scope;
  soci::indicator project_ind = soci::i_ok, started_ind = soci::i_ok, finished_ind = soci::i_ok,
                  node_ind = soci::i_ok, lease_ind = soci::i_ok, error_ind = soci::i_ok,
                  progress_ind = soci::i_ok, scope_ind = soci::i_ok, users_total_ind = soci::i_ok,
                  groups_total_ind = soci::i_ok, projects_total_ind = soci::i_ok;
  int held = 0;
  void bind(soci::statement& st);
  Task get() const;
};

struct AuditRow {
  static constexpr const char* kColumns =
      "id, at, actor, action, entity_type, entity, before_value, after_value, cause, task_id";
  long long id = 0, at = 0, task_id = 0;
  std::string actor, action, entity_type, entity, before, after, cause;
  soci::indicator before_ind = soci::i_ok, after_ind = soci::i_ok, cause_ind = soci::i_ok,
                  task_ind = soci::i_ok;
  void bind(soci::statement& st);
  AuditEntry get() const;
};

// Lists and counts of a task are kept as JSON text.
std::string encode_strings(const std::vector<std::string>& v);
std::vector<std::string> decode_strings(const std::string& s);
std::string encode_counts(const SyncCounts& c);
SyncCounts decode_counts(const std::string& s);
std::string encode_progress(const TaskProgress& p);
std::optional<TaskProgress> decode_progress(const std::string& s);  // nothing when unreadable
std::string encode_scope(const SyncScope& s);
std::optional<SyncScope> decode_scope(const std::string& s);  // nothing when unreadable

}  // namespace provisio::store::rows
