#pragma once
// What an administrator may not do by hand while automatic provisioning is on (behaviour.md §5):
// the sync owns managed users, groups, memberships and the permissions on bound projects. Each
// refusal is kFailedPrecondition (HTTP 400) saying the instance or the project is managed by
// GitLab. Pure functions: `managed_instance` is true while automatic provisioning is enabled.

#include <optional>

#include "core/error.hpp"
#include "core/gitlab_config.hpp"
#include "core/group.hpp"
#include "core/project.hpp"
#include "core/user.hpp"

namespace provisio::http {

// True while automatic provisioning is enabled.
bool is_managed_instance(const std::optional<GitlabConfig>& config);

Status may_create_user(bool managed_instance);
Status may_update_user(bool managed_instance, const User& user);
Status may_deactivate_user(bool managed_instance, const User& user);
// A managed instance changes no password (spec section 5); a lost local admin password is reset
// on the machine with `provisio admin reset-password`.
Status may_change_password(bool managed_instance);

Status may_create_group(bool managed_instance);
// `renames`: the change gives the group another name.
Status may_update_group(bool managed_instance, const Group& group, bool renames);
Status may_delete_group(bool managed_instance, const Group& group);
// Nobody is added to a group by hand in a managed instance, and a provisioned user never to a
// local group (its memberships follow GitLab; the sync removes it from local groups).
Status may_add_member(bool managed_instance, const User& user);
// Local users leave local groups by hand; so may a provisioned user still in one (the sync would
// remove it anyway). A mirrored group's memberships follow GitLab.
Status may_remove_member(bool managed_instance, const Group& group, const User& user);

// A permission on `project` (never called for global permissions, which stay editable), for a
// user, or for a group when `user` is null.
Status may_grant(bool managed_instance, const Project& project, const User* user);
Status may_revoke(bool managed_instance, const Project& project, const User* user);
Status may_change_visibility(bool managed_instance, const Project& project);

}  // namespace provisio::http
