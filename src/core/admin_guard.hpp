#pragma once
// Never without an administrator (behaviour.md §5): at least one active user holds the global
// `admin` permission (Administer System), directly or through a group. A sync deactivates users,
// strips them of every permission and removes provisioned users from local groups, any of which
// can take the last administrator away; its plan is held back before that happens. Pure.

#include "core/change_set.hpp"
#include "core/state.hpp"

namespace provisio {

// True when some active user of `state` holds global `admin`, directly or through a group.
bool has_active_administrator(const AuthorizationState& state);

// True when `state` has an active administrator and applying `changes` would leave none.
bool leaves_no_administrator(const AuthorizationState& state, const ChangeSet& changes);

}  // namespace provisio
