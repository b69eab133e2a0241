#include "http/api_json.hpp"

#include <ctime>

#include "core/effective_access.hpp"

namespace provisio::http {

std::string format_time(Millis at) {
  const std::time_t seconds = static_cast<std::time_t>(at / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S+0000", &tm);
  return std::string(buffer, n);
}

Json time_or_null(std::optional<Millis> at) { return at ? Json(format_time(*at)) : Json(nullptr); }

Json counts_json(const SyncCounts& c) {
  return {{"usersCreated", c.users_created},
          {"usersUpdated", c.users_updated},
          {"usersReactivated", c.users_reactivated},
          {"usersDeactivated", c.users_deactivated},
          {"groupsCreated", c.groups_created},
          {"groupsRenamed", c.groups_renamed},
          {"groupsAdopted", c.groups_adopted},
          {"groupsDeleted", c.groups_deleted},
          {"membershipsAdded", c.memberships_added},
          {"membershipsRemoved", c.memberships_removed},
          {"projectsSynced", c.projects_synced},
          {"permissionsGranted", c.permissions_granted},
          {"permissionsRevoked", c.permissions_revoked},
          {"visibilitiesChanged", c.visibilities_changed},
          {"gitlabRequests", c.gitlab_requests},
          {"durationMs", c.duration_ms}};
}

Json totals_json(const std::optional<SyncTotals>& totals) {
  if (!totals) return nullptr;
  return {{"users", totals->users}, {"groups", totals->groups}, {"projects", totals->projects}};
}

void write_page(JsonWriter& w, int index, int size, std::int64_t total) {
  w.begin_object().key("pageIndex").value(index).key("pageSize").value(size);
  w.key("total").value(total).end_object();
}

Json page_json(int index, int size, std::int64_t total) {
  return Json{{"pageIndex", index}, {"pageSize", size}, {"total", total}};
}

void write_user(JsonWriter& w, const User& u, bool for_admin) {
  w.begin_object().key("id").value(u.uuid).key("login").value(u.login).key("name").value(u.name);
  if (for_admin) {
    w.key("email").value(u.email);
    w.key("active").value(u.active).key("local").value(u.local).key("managed").value(u.managed);
    w.key("externalLogin").value(u.external_login);
    w.key("externalProvider").value(to_string(u.external_provider));
    w.key("externalId").value(u.external_id);
    w.key("avatar").null();
    w.key("sonarQubeLastConnectionDate");
    if (u.last_connection_at) {
      w.value(format_time(*u.last_connection_at));
    } else {
      w.null();
    }
    w.key("sonarLintLastConnectionDate").null();
    w.key("scmAccounts").begin_array().end_array();
  }
  w.end_object();
}

Json user_json(const User& u, bool for_admin) {
  JsonWriter w;
  write_user(w, u, for_admin);
  return Json::parse(w.take());
}

void write_group(JsonWriter& w, const Group& g) {
  w.begin_object().key("id").value(g.uuid).key("name").value(g.name);
  w.key("description").value(g.description).key("managed").value(g.managed);
  w.key("default").value(g.is_default).end_object();
}

Json group_json(const Group& g) {
  JsonWriter w;
  write_group(w, g);
  return Json::parse(w.take());
}

std::string membership_id(const Group& group, const User& user) {
  return group.uuid + ":" + user.uuid;
}

void write_membership(JsonWriter& w, const Group& group, const User& user) {
  w.begin_object().key("id").value(membership_id(group, user));
  w.key("groupId").value(group.uuid).key("userId").value(user.uuid).end_object();
}

Json membership_json(const Group& group, const User& user) {
  JsonWriter w;
  write_membership(w, group, user);
  return Json::parse(w.take());
}

Json project_json(const Project& p) {
  return Json{
      {"key", p.key},
      {"name", p.name},
      {"qualifier", "TRK"},
      {"visibility", to_string(p.visibility)},
      {"managed", p.managed()},
      {"gitlabProjectId", p.gitlab_project_id ? Json(*p.gitlab_project_id) : Json(nullptr)}};
}

Json role_mapping_json(const RoleMapping& m) {
  const RolePermissions& p = m.permissions;
  return Json{{"id", m.role},
              {"role", m.role},
              {"baseRole", m.is_base()},
              {"permissions",
               {{"user", p.user},
                {"codeViewer", p.code_viewer},
                {"issueAdmin", p.issue_admin},
                {"securityHotspotAdmin", p.security_hotspot_admin},
                {"admin", p.admin},
                {"scan", p.scan}}}};
}

Json gitlab_config_json(const GitlabConfig& c, const GitlabCheckResult& check) {
  Json groups = Json::array();
  for (const std::string& g : c.allowed_groups) groups.push_back(g);  // as typed
  return Json{{"id", "gitlab-configuration"},
              {"enabled", c.enabled},
              {"applicationId", c.application_id},
              {"url", c.url},
              {"synchronizeGroups", c.synchronize_groups},
              {"allowedGroups", std::move(groups)},
              {"allowUsersToSignUp", c.allow_users_to_sign_up},
              {"jitPrivilegedGroups", c.jit_privileged_groups},
              {"provisioningType", to_string(c.provisioning_type)},
              {"isProvisioningTokenSet", c.provisioning_token.has_value()},
              {"errorMessage", check.error ? Json(*check.error) : Json(nullptr)},
              // Beyond SonarQube: the setting the error is about, for the page to show it there.
              {"errorField", check.error && check.field ? Json(*check.field) : Json(nullptr)},
              {"errorAllowedGroup",
               check.error && check.allowed_group ? Json(*check.allowed_group) : Json(nullptr)},
              {"warnings", check.warnings}};
}

namespace {

// How far a running task has got; null once it has ended, or before it reported anything.
Json progress_json(const Task& t) {
  if (!t.progress || t.status != TaskStatus::kInProgress) return nullptr;
  const TaskProgress& p = *t.progress;
  return Json{{"phase", p.phase},
              {"pagesRead", p.pages_read},
              {"pagesExpected", p.pages_expected ? Json(*p.pages_expected) : Json(nullptr)},
              {"etaMs", p.eta_ms ? Json(*p.eta_ms) : Json(nullptr)}};
}

}  // namespace

Json task_json(const Task& t) {
  const auto execution = t.execution_time_ms();
  return Json{{"id", std::to_string(t.id)},
              {"type", to_string(t.type)},
              {"status", to_string(t.status)},
              {"submittedAt", format_time(t.submitted_at)},
              {"startedAt", time_or_null(t.started_at)},
              {"executedAt", time_or_null(t.finished_at)},
              {"executionTimeMs", execution ? Json(*execution) : Json(nullptr)},
              {"errorMessage", t.error_message ? Json(*t.error_message) : Json(nullptr)},
              {"warnings", t.warnings},
              {"infoMessages", t.info_messages},
              {"progress", progress_json(t)},
              // Beyond SonarQube: the run's figures, for the status panel and scripts.
              {"held", t.held},
              {"counts", t.finished_at ? counts_json(t.counts) : Json(nullptr)},
              {"totals", totals_json(t.counts.totals)}};
}

namespace {
Json text_or_null(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }
}  // namespace

Json explanation_json(const sync::Explanation& e) {
  Json gitlab = nullptr;
  if (e.gitlab_user_id) {
    gitlab = Json{{"userId", *e.gitlab_user_id},
                  {"username", text_or_null(e.gitlab_username)},
                  {"id", e.gitlab_source_id ? Json(*e.gitlab_source_id) : Json(nullptr)},
                  {"path", text_or_null(e.gitlab_path)},
                  {"level", nullptr},
                  {"role", nullptr},
                  {"roleNote", nullptr},
                  {"paths", Json::array()}};
    if (e.gitlab) {
      gitlab["paths"] = e.gitlab->paths;
      if (e.gitlab->level > 0) gitlab["level"] = access::level_name(e.gitlab->level);
      if (!e.gitlab->mapping.empty()) gitlab["role"] = e.gitlab->mapping;
      if (!e.gitlab->mapping_note.empty()) gitlab["roleNote"] = e.gitlab->mapping_note;
    }
  }
  Json permissions = Json::array();
  for (const explain::PermissionLine& line : e.permissions) {
    permissions.push_back(Json{{"permission", line.permission},
                               {"held", line.held},
                               {"fromGitlab", line.from_gitlab},
                               {"why", line.why}});
  }
  Json out{{"login", e.login},
           {"projectKey", text_or_null(e.project_key)},
           {"group", text_or_null(e.group)},
           {"gitlab", std::move(gitlab)},
           {"reasons", e.reasons},
           {"gitlabRequests", e.gitlab_requests}};
  if (e.project_key) {
    out["permissions"] = std::move(permissions);
  } else {
    out["member"] = e.member.value_or(false);
    out["memberFromGitlab"] = e.member_from_gitlab;
  }
  return out;
}

}  // namespace provisio::http
