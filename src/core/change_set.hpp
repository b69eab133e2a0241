#pragma once
// A batch of row changes applied by Store::apply in one transaction: the bulk path used by the
// sync's apply phase. Rows created by the same ChangeSet are referenced by their uuid, because
// their ids are not known until they are written.

#include <optional>
#include <string>
#include <vector>

#include "core/audit.hpp"
#include "core/group.hpp"
#include "core/permission.hpp"
#include "core/project.hpp"
#include "core/user.hpp"

namespace provisio {

// A user or group row: by id when it exists, else by the uuid of a row this ChangeSet creates.
struct RowRef {
  std::int64_t id = 0;
  std::string uuid;
  static RowRef of_id(std::int64_t id) { return RowRef{id, {}}; }
  static RowRef of_uuid(std::string uuid) { return RowRef{0, std::move(uuid)}; }
};

struct MembershipChange {
  RowRef group;
  RowRef user;
};

// A project permission held by a user (the sync grants to users only).
struct UserPermissionChange {
  ProjectId project_id = 0;
  RowRef user;
  ProjectPermission permission = ProjectPermission::kUser;
};

struct VisibilityChange {
  ProjectId project_id = 0;
  Visibility visibility = Visibility::kPrivate;
};

struct ChangeSet {
  std::vector<User> users_to_create;      // uuid required; id ignored
  std::vector<User> users_to_update;      // by id: name, email, active, managed, external_login
  std::vector<Group> groups_to_create;    // uuid required; id ignored
  std::vector<Group> groups_to_update;    // by id: name, description, managed
  std::vector<GroupId> groups_to_delete;  // with their memberships and grants
  std::vector<MembershipChange> memberships_to_add;
  std::vector<MembershipChange> memberships_to_remove;
  std::vector<UserPermissionChange> permissions_to_grant;
  std::vector<UserPermissionChange> permissions_to_revoke;
  std::vector<VisibilityChange> visibilities;
  std::vector<AuditEntry> audit;

  std::size_t size() const {
    return users_to_create.size() + users_to_update.size() + groups_to_create.size() +
           groups_to_update.size() + groups_to_delete.size() + memberships_to_add.size() +
           memberships_to_remove.size() + permissions_to_grant.size() +
           permissions_to_revoke.size() + visibilities.size() + audit.size();
  }
  bool empty() const { return size() == 0; }
};

}  // namespace provisio
