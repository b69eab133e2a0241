#pragma once
// A batch of row changes applied by Store::apply in one transaction: the bulk path used by the
// sync's apply phase. Rows created by the same ChangeSet are referenced by their place in it,
// because their ids are not known until they are written.
//
// Memory matters here: a first sync of a large GitLab adds millions of memberships and, with many
// bound projects, hundreds of thousands of permissions, so they are kept compact
// (MembershipChanges), and the audit row of a membership or permission change is not kept as an
// AuditEntry but written by apply() from the change itself (the entity from the stored names, the
// cause by index into `causes`, which holds each distinct text once).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/audit.hpp"
#include "core/group.hpp"
#include "core/membership_changes.hpp"
#include "core/permission.hpp"
#include "core/project.hpp"
#include "core/row_ref.hpp"
#include "core/user.hpp"

namespace provisio {

// Who and when, for the audit rows apply() writes for membership and permission changes.
struct MembershipAudit {
  Millis at = 0;  // 0: the time of apply()
  std::string actor = "sync";
  std::optional<TaskId> task_id;
};

// A project permission held by a user (the sync grants to users only).
struct UserPermissionChange {
  ProjectId project_id = 0;
  RowRef user;
  ProjectPermission permission = ProjectPermission::kUser;
  std::uint32_t cause = 0;  // into ChangeSet::causes
};

// A global permission held by a user: revoked when the user is deactivated (behaviour.md §3).
struct GlobalPermissionChange {
  RowRef user;
  std::string permission;   // a GlobalPermission key: "admin", "scan", ...
  std::uint32_t cause = 0;  // into ChangeSet::causes
  friend bool operator==(const GlobalPermissionChange&, const GlobalPermissionChange&) = default;
};

struct VisibilityChange {
  ProjectId project_id = 0;
  Visibility visibility = Visibility::kPrivate;
};

// The cause of every membership and permission a deactivation removes (behaviour.md §3).
inline constexpr std::string_view kDeactivatedCause = "the user was deactivated";

struct ChangeSet {
  std::vector<User> users_to_create;  // uuid required; id ignored
  // By id: name, email, active, managed, external_login. A user made inactive here also loses, in
  // the same transaction, every membership and permission the set does not already remove (a
  // partial sync's plan cannot see them all), each with its audit row, and every session and token.
  std::vector<User> users_to_update;
  std::vector<Group> groups_to_create;    // uuid required; id ignored
  std::vector<Group> groups_to_update;    // by id: name, description, managed, external_id
  std::vector<GroupId> groups_to_delete;  // with their memberships and grants
  MembershipChanges memberships_to_add;
  MembershipChanges memberships_to_remove;
  std::vector<UserPermissionChange> permissions_to_grant;
  std::vector<UserPermissionChange> permissions_to_revoke;
  std::vector<GlobalPermissionChange> global_permissions_to_revoke;
  std::vector<VisibilityChange> visibilities;
  std::vector<AuditEntry> audit;  // every change but memberships and permissions (see above)
  MembershipAudit membership_audit;
  std::vector<std::string> causes;  // of membership and permission changes; index 0 may be ""

  std::size_t size() const {
    return users_to_create.size() + users_to_update.size() + groups_to_create.size() +
           groups_to_update.size() + groups_to_delete.size() + memberships_to_add.size() +
           memberships_to_remove.size() + permissions_to_grant.size() +
           permissions_to_revoke.size() + global_permissions_to_revoke.size() +
           visibilities.size() + audit.size();
  }
  bool empty() const { return size() == 0; }
};

}  // namespace provisio
