#include "store/rows.hpp"

#include <nlohmann/json.hpp>

namespace provisio::store::rows {
namespace {

std::optional<std::string> opt(const std::string& v, soci::indicator ind) {
  if (ind == soci::i_null) return std::nullopt;
  return v;
}

std::optional<long long> opt(long long v, soci::indicator ind) {
  if (ind == soci::i_null) return std::nullopt;
  return v;
}

}  // namespace

void UserRow::bind(soci::statement& st) {
  st.exchange(soci::into(id));
  st.exchange(soci::into(uuid));
  st.exchange(soci::into(login));
  st.exchange(soci::into(name));
  st.exchange(soci::into(email, email_ind));
  st.exchange(soci::into(active));
  st.exchange(soci::into(local));
  st.exchange(soci::into(managed));
  st.exchange(soci::into(provider));
  st.exchange(soci::into(external_id, external_id_ind));
  st.exchange(soci::into(external_login, external_login_ind));
  st.exchange(soci::into(created));
  st.exchange(soci::into(updated));
  st.exchange(soci::into(last, last_ind));
}

User UserRow::get() const {
  User u;
  u.id = id;
  u.uuid = uuid;
  u.login = login;
  u.name = name;
  u.email = opt(email, email_ind);
  u.active = active != 0;
  u.local = local != 0;
  u.managed = managed != 0;
  u.external_provider = parse_external_provider(provider).value_or(ExternalProvider::kSonarqube);
  u.external_id = opt(external_id, external_id_ind);
  u.external_login = opt(external_login, external_login_ind);
  u.created_at = created;
  u.updated_at = updated;
  u.last_connection_at = opt(last, last_ind);
  return u;
}

void GroupRow::bind(soci::statement& st) {
  st.exchange(soci::into(id));
  st.exchange(soci::into(uuid));
  st.exchange(soci::into(name));
  st.exchange(soci::into(description));
  st.exchange(soci::into(managed));
  st.exchange(soci::into(is_default));
  st.exchange(soci::into(external_id, external_id_ind));
}

Group GroupRow::get() const {
  return Group{id,
               uuid,
               name,
               description,
               managed != 0,
               is_default != 0,
               opt(external_id, external_id_ind)};
}

void ProjectRow::bind(soci::statement& st) {
  st.exchange(soci::into(id));
  st.exchange(soci::into(uuid));
  st.exchange(soci::into(key));
  st.exchange(soci::into(name));
  st.exchange(soci::into(visibility));
  st.exchange(soci::into(gitlab_id, gitlab_ind));
}

Project ProjectRow::get() const {
  Project p;
  p.id = id;
  p.uuid = uuid;
  p.key = key;
  p.name = name;
  p.visibility = parse_visibility(visibility).value_or(Visibility::kPrivate);
  p.gitlab_project_id = opt(gitlab_id, gitlab_ind);
  return p;
}

void GrantRow::bind(soci::statement& st) {
  st.exchange(soci::into(project_id, project_ind));
  st.exchange(soci::into(user_id, user_ind));
  st.exchange(soci::into(group_id, group_ind));
  st.exchange(soci::into(permission));
}

PermissionGrant GrantRow::get() const {
  return PermissionGrant{opt(project_id, project_ind), opt(user_id, user_ind),
                         opt(group_id, group_ind), permission};
}

void TaskRow::bind(soci::statement& st) {
  st.exchange(soci::into(id));
  st.exchange(soci::into(uuid));
  st.exchange(soci::into(type));
  st.exchange(soci::into(status));
  st.exchange(soci::into(project_id, project_ind));
  st.exchange(soci::into(submitter));
  st.exchange(soci::into(submitted));
  st.exchange(soci::into(started, started_ind));
  st.exchange(soci::into(finished, finished_ind));
  st.exchange(soci::into(node, node_ind));
  st.exchange(soci::into(lease, lease_ind));
  st.exchange(soci::into(info));
  st.exchange(soci::into(warnings));
  st.exchange(soci::into(error, error_ind));
  st.exchange(soci::into(counts));
  st.exchange(soci::into(held));
  st.exchange(soci::into(progress, progress_ind));
  st.exchange(soci::into(scope, scope_ind));
  st.exchange(soci::into(users_total, users_total_ind));
  st.exchange(soci::into(groups_total, groups_total_ind));
  st.exchange(soci::into(projects_total, projects_total_ind));
}

Task TaskRow::get() const {
  Task t;
  t.id = id;
  t.uuid = uuid;
  t.type = parse_task_type(type).value_or(TaskType::kGitlabAuthProvisioning);
  t.status = parse_task_status(status).value_or(TaskStatus::kFailed);
  t.project_id = opt(project_id, project_ind);
  t.submitter = submitter;
  t.submitted_at = submitted;
  t.started_at = opt(started, started_ind);
  t.finished_at = opt(finished, finished_ind);
  t.node_id = opt(node, node_ind);
  t.lease_until = opt(lease, lease_ind);
  t.info_messages = decode_strings(info);
  t.warnings = decode_strings(warnings);
  t.error_message = opt(error, error_ind);
  t.counts = decode_counts(counts);
  t.held = held != 0;
  if (progress_ind == soci::i_ok) t.progress = decode_progress(progress);
  if (scope_ind == soci::i_ok) t.scope = decode_scope(scope);
  if (users_total_ind == soci::i_ok && groups_total_ind == soci::i_ok &&
      projects_total_ind == soci::i_ok) {
    t.counts.totals = SyncTotals{users_total, groups_total, projects_total};
  }
  return t;
}

void AuditRow::bind(soci::statement& st) {
  st.exchange(soci::into(id));
  st.exchange(soci::into(at));
  st.exchange(soci::into(actor));
  st.exchange(soci::into(action));
  st.exchange(soci::into(entity_type));
  st.exchange(soci::into(entity));
  st.exchange(soci::into(before, before_ind));
  st.exchange(soci::into(after, after_ind));
  st.exchange(soci::into(cause, cause_ind));
  st.exchange(soci::into(task_id, task_ind));
}

AuditEntry AuditRow::get() const {
  AuditEntry a;
  a.id = id;
  a.at = at;
  a.actor = actor;
  a.action = action;
  a.entity_type = entity_type;
  a.entity = entity;
  a.before = opt(before, before_ind);
  a.after = opt(after, after_ind);
  a.cause = opt(cause, cause_ind);
  a.task_id = opt(task_id, task_ind);
  return a;
}

std::string encode_strings(const std::vector<std::string>& v) { return nlohmann::json(v).dump(); }

std::string encode_scope(const SyncScope& s) {
  return nlohmann::json{{"groups", s.groups}, {"projects", s.projects}, {"users", s.users}}.dump();
}

std::optional<SyncScope> decode_scope(const std::string& s) {
  const auto j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  SyncScope out;
  const auto read = [&](const char* key, std::set<std::int64_t>& into) {
    if (!j.contains(key) || !j[key].is_array()) return false;
    for (const auto& e : j[key]) {
      if (!e.is_number_integer()) return false;
      into.insert(e.get<std::int64_t>());
    }
    return true;
  };
  if (!read("groups", out.groups) || !read("projects", out.projects) || !read("users", out.users)) {
    return std::nullopt;
  }
  return out;
}

std::vector<std::string> decode_strings(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_array()) return {};
  std::vector<std::string> out;
  for (const auto& e : j) {
    if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

// One field a line.
// clang-format off
#define PROVISIO_COUNT_FIELDS(X)                            \
  X(users_created, "usersCreated")                          \
  X(users_updated, "usersUpdated")                          \
  X(users_reactivated, "usersReactivated")                  \
  X(users_deactivated, "usersDeactivated")                  \
  X(groups_created, "groupsCreated")                        \
  X(groups_renamed, "groupsRenamed")                        \
  X(groups_adopted, "groupsAdopted")                        \
  X(groups_deleted, "groupsDeleted")                        \
  X(memberships_added, "membershipsAdded")                  \
  X(memberships_removed, "membershipsRemoved")              \
  X(projects_synced, "projectsSynced")                      \
  X(permissions_granted, "permissionsGranted")              \
  X(permissions_revoked, "permissionsRevoked")              \
  X(visibilities_changed, "visibilitiesChanged")            \
  X(gitlab_requests, "gitlabRequests")                      \
  X(duration_ms, "durationMs")
// clang-format on

std::string encode_counts(const SyncCounts& c) {
  nlohmann::json j;
#define X(field, key) j[key] = c.field;
  PROVISIO_COUNT_FIELDS(X)
#undef X
  return j.dump();
}

SyncCounts decode_counts(const std::string& s) {
  SyncCounts c;
  auto j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_object()) return c;
#define X(field, key) \
  if (j.contains(key) && j[key].is_number_integer()) c.field = j[key].get<std::int64_t>();
  PROVISIO_COUNT_FIELDS(X)
#undef X
  return c;
}

std::string encode_progress(const TaskProgress& p) {
  nlohmann::json j{{"phase", p.phase}, {"pagesRead", p.pages_read}};
  if (p.pages_expected) j["pagesExpected"] = *p.pages_expected;
  if (p.eta_ms) j["etaMs"] = *p.eta_ms;
  return j.dump();
}

std::optional<TaskProgress> decode_progress(const std::string& s) {
  const auto j = nlohmann::json::parse(s, nullptr, false);
  if (!j.is_object() || !j.contains("phase") || !j["phase"].is_string()) return std::nullopt;
  TaskProgress p;
  p.phase = j["phase"].get<std::string>();
  const auto integer = [&](const char* key) -> std::optional<std::int64_t> {
    if (j.contains(key) && j[key].is_number_integer()) return j[key].get<std::int64_t>();
    return std::nullopt;
  };
  p.pages_read = integer("pagesRead").value_or(0);
  p.pages_expected = integer("pagesExpected");
  p.eta_ms = integer("etaMs");
  return p;
}

}  // namespace provisio::store::rows
