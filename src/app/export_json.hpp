#pragma once
// The JSON of `provisio export` (api.md "Command line"): the whole authorization state with
// names instead of ids, every array sorted, so two exports can be diffed line by line. Keys keep
// the documented order.

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/state.hpp"

namespace provisio::app {

// Sort orders: users by login, groups by name, memberships by group then login, projects by key,
// permissions by projectKey (global first) then login or group name then permission.
// kInternal when a membership or grant refers to a user, group or project not in the state.
Result<nlohmann::ordered_json> export_json(const AuthorizationState& state);

}  // namespace provisio::app
