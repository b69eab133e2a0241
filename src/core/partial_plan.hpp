#pragma once
// The rules that make a partial (event-driven or per-project) sync safe: it reads only part of
// GitLab, so it may only change the rows that part determines. Pure.

#include <set>

#include "core/desired_state.hpp"
#include "core/plan.hpp"

namespace provisio {

// Keeps the mirrored groups and bound projects given (by GitLab id) and the users they hold;
// drops what the rest of a partial snapshot reached (its ancestors, invited groups), which it
// did not read whole.
DesiredState restrict_desired(DesiredState desired, const std::set<gl::Id>& groups,
                              const std::set<gl::Id>& projects);

// Drops the changes a partial read cannot justify: deactivations of users other than those
// GitLab said are gone (blocked, deleted, bots) with what those deactivations would remove, and
// every group deletion (a group missing from a partial read is not missing from GitLab). Counts
// and audit rows follow.
void keep_partial_changes(Plan& plan, const std::set<gl::Id>& gone_users);

}  // namespace provisio
