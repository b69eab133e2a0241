#pragma once
// What a GitLab system hook or group webhook touches (CONTRACT.md §10): pure, from the few fields
// of the payload that say where to look. The event is never trusted for what changed: the partial
// sync re-reads the groups, projects and users named here from GitLab.

#include <cstdint>
#include <optional>
#include <string>

#include "core/sync_scope.hpp"

namespace provisio {

// The fields of a hook that matter here; the HTTP adapter reads them from the JSON body.
struct GitlabEvent {
  std::string hook;        // the X-Gitlab-Event header: "System Hook", "Member Hook", ...
  std::string event_name;  // event_name (system hooks, member/subgroup/project hooks) or
                           // object_kind (other webhooks)
  std::optional<std::int64_t> group_id;
  std::optional<std::int64_t> project_id;
  std::optional<std::int64_t> user_id;
};

enum class EventAction {
  kPartial,  // re-read the scope now
  kFull,     // the event moves or deletes groups: a full sync is queued
  kIgnore,   // nothing the sync mirrors depends on it (pushes, access requests, ...)
};

struct EventEffect {
  EventAction action = EventAction::kIgnore;
  SyncScope scope;     // for kPartial
  std::string reason;  // for people: what will be done and why
};

// True for the X-Gitlab-Event values GitLab sends (any "... Hook").
bool is_gitlab_hook(const std::string& hook);

// What the event touches. kInvalidArgument-like refusals (a required id missing) come back as
// nothing, with `problem` saying what is missing.
std::optional<EventEffect> effect_of(const GitlabEvent& event, std::string& problem);

}  // namespace provisio
