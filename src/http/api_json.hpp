#pragma once
// The API's JSON resources, with SonarQube's field names (api.md). Pure functions of domain
// values. No function here ever writes a secret: the GitLab configuration says only whether its
// secrets are set.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/gitlab_check_result.hpp"
#include "core/gitlab_config.hpp"
#include "core/group.hpp"
#include "core/project.hpp"
#include "core/role_mapping.hpp"
#include "core/task.hpp"
#include "core/user.hpp"
#include "http/json_writer.hpp"
#include "sync/explain.hpp"

namespace provisio::http {

using Json = nlohmann::ordered_json;

// "2025-03-01T12:00:00+0000", as SonarQube writes dates.
std::string format_time(Millis at);
Json time_or_null(std::optional<Millis> at);

// {"pageIndex","pageSize","total"}: v2 "page" and v1 "paging".
Json page_json(int index, int size, std::int64_t total);
void write_page(JsonWriter& w, int index, int size, std::int64_t total);

// A user for administrators (every field), or for other callers (id, login, name). The pages
// of users, groups and memberships are written straight into their text (write_*); the *_json
// forms read that text back, so that both say the same.
void write_user(JsonWriter& w, const User& user, bool for_admin);
Json user_json(const User& user, bool for_admin);
void write_group(JsonWriter& w, const Group& group);
Json group_json(const Group& group);
// The membership id is "<group uuid>:<user uuid>": memberships have no id of their own.
std::string membership_id(const Group& group, const User& user);
void write_membership(JsonWriter& w, const Group& group, const User& user);
Json membership_json(const Group& group, const User& user);
Json project_json(const Project& project);
Json role_mapping_json(const RoleMapping& mapping);
// `check` fills errorMessage and warnings.
Json gitlab_config_json(const GitlabConfig& config, const GitlabCheckResult& check);
// What a sync changed (or would change), as `provisio sync --json` and the plan preview show it.
Json counts_json(const SyncCounts& counts);
// How much a full sync covered (users, groups, projects in scope); null when not recorded (a
// partial sync, or a run of an older version).
Json totals_json(const std::optional<SyncTotals>& totals);
// A run of the history as api/ce/activity shows it.
Json task_json(const Task& task);

// An explanation (sync/explain.hpp) as GET /api/v2/provisioning/explain and `provisio explain
// --json` print it.
Json explanation_json(const sync::Explanation& explanation);

}  // namespace provisio::http
