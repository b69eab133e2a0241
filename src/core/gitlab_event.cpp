#include "core/gitlab_event.hpp"

#include <string_view>

namespace provisio {
namespace {

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (const std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

// False (with the problem told) when the event lacks the id it must carry.
bool needs(const std::optional<std::int64_t>& id, const char* field, const GitlabEvent& e,
           std::string& problem) {
  if (id && *id > 0) return true;
  problem = "The event " + e.event_name + " has no " + field + ".";
  return false;
}

}  // namespace

bool is_gitlab_hook(const std::string& hook) {
  constexpr std::string_view kSuffix = " Hook";
  return hook.size() > kSuffix.size() &&
         hook.compare(hook.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

std::optional<EventEffect> effect_of(const GitlabEvent& e, std::string& problem) {
  if (!is_gitlab_hook(e.hook)) {
    problem = e.hook.empty() ? "The request has no X-Gitlab-Event header: it is not a GitLab hook."
                             : "'" + e.hook + "' is not a GitLab hook (X-Gitlab-Event).";
    return std::nullopt;
  }
  if (e.event_name.empty()) {
    problem = "The event has no event_name (nor object_kind): it is not a GitLab hook payload.";
    return std::nullopt;
  }
  const std::string& name = e.event_name;
  EventEffect out;
  // One member of a group: that user's access to the group, the groups below it and the groups
  // and projects it is invited into is recomputed (the other members' did not change).
  if (one_of(name, {"user_add_to_group", "user_update_for_group", "user_remove_from_group"}) &&
      e.user_id && *e.user_id > 0) {
    if (!needs(e.group_id, "group_id", e, problem)) return std::nullopt;
    out.action = EventAction::kPartial;
    out.scope.group_members.insert({*e.group_id, *e.user_id});
    out.reason = "user " + std::to_string(*e.user_id) + "'s membership of group " +
                 std::to_string(*e.group_id) + " is re-read from GitLab";
    return out;
  }
  // A group's memberships (a member event without its user, a new group): every member of the
  // group and of the groups below it, and of the groups and projects it is invited into, is
  // recomputed.
  if (one_of(name, {"user_add_to_group", "user_update_for_group", "user_remove_from_group",
                    "group_create", "subgroup_create"})) {
    if (!needs(e.group_id, "group_id", e, problem)) return std::nullopt;
    out.action = EventAction::kPartial;
    out.scope.groups.insert(*e.group_id);
    out.reason = "group " + std::to_string(*e.group_id) + " is re-read from GitLab";
    return out;
  }
  // One member of a project (GitLab has no project-member webhook; these are system hooks).
  if (one_of(name, {"user_add_to_team", "user_update_for_team", "user_remove_from_team"}) &&
      e.user_id && *e.user_id > 0) {
    if (!needs(e.project_id, "project_id", e, problem)) return std::nullopt;
    out.action = EventAction::kPartial;
    out.scope.project_members.insert({*e.project_id, *e.user_id});
    out.reason = "user " + std::to_string(*e.user_id) + "'s membership of project " +
                 std::to_string(*e.project_id) + " is re-read from GitLab";
    return out;
  }
  // Project memberships, visibility, place.
  if (one_of(name, {"user_add_to_team", "user_update_for_team", "user_remove_from_team",
                    "project_update", "project_rename", "project_transfer", "project_destroy"})) {
    if (!needs(e.project_id, "project_id", e, problem)) return std::nullopt;
    out.action = EventAction::kPartial;
    out.scope.projects.insert(*e.project_id);
    out.reason = "project " + std::to_string(*e.project_id) + " is re-read from GitLab";
    return out;
  }
  // A user deleted, blocked (a blocked user's failed login is the only hook that says so) or
  // renamed: the user is re-read, with every group and project the server has them in.
  if (one_of(name, {"user_destroy", "user_failed_login", "user_rename"})) {
    if (!needs(e.user_id, "user_id", e, problem)) return std::nullopt;
    out.action = EventAction::kPartial;
    out.scope.users.insert(*e.user_id);
    out.reason = "user " + std::to_string(*e.user_id) + " is re-read from GitLab";
    return out;
  }
  // A group renamed or moved renames (or moves out of scope) a whole subtree of mirrored
  // groups; a group deleted deletes them: the full sync does both.
  if (one_of(name, {"group_rename", "group_destroy", "subgroup_destroy"})) {
    out.action = EventAction::kFull;
    out.reason = name + " changes a tree of mirrored groups: a full synchronization is queued";
    return out;
  }
  out.action = EventAction::kIgnore;
  if (one_of(name, {"user_create", "project_create"})) {
    out.reason = name + ": a new " + (name == "user_create" ? "user" : "project") +
                 " has no membership yet; nothing to synchronize";
  } else if (name.rfind("user_access_request", 0) == 0) {
    out.reason = name + ": an access request grants nothing; nothing to synchronize";
  } else {
    out.reason = name + ": no permission depends on it; nothing to synchronize";
  }
  return out;
}

}  // namespace provisio
