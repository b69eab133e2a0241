#pragma once
// A batch of row changes applied by Store::apply in one transaction: the bulk path used by the
// sync's apply phase. Rows created by the same ChangeSet are referenced by their place in it,
// because their ids are not known until they are written.
//
// Memory matters here: a first sync of a large GitLab adds millions of memberships, so a
// membership change is four integers, and its audit row is not kept as an AuditEntry but written
// by apply() from the change itself (the entity from the stored names, the cause by index into
// `causes`, which holds each distinct text once).

#include <optional>
#include <string>
#include <vector>

#include "core/audit.hpp"
#include "core/group.hpp"
#include "core/permission.hpp"
#include "core/project.hpp"
#include "core/user.hpp"

namespace provisio {

// A user or group row: by id when it exists, else by its index in this ChangeSet's
// users_to_create or groups_to_create. One integer: ids are positive, so a created row's index
// is kept as -(index + 1).
class RowRef {
 public:
  RowRef() = default;
  static RowRef of_id(std::int64_t id) { return RowRef(id); }
  static RowRef of_created(std::size_t index) {
    return RowRef(-static_cast<std::int64_t>(index) - 1);
  }
  bool is_created() const { return value_ < 0; }
  std::int64_t id() const { return value_ > 0 ? value_ : 0; }  // 0 for a created row
  std::size_t created_index() const { return static_cast<std::size_t>(-value_ - 1); }
  friend bool operator==(const RowRef&, const RowRef&) = default;

 private:
  explicit RowRef(std::int64_t value) : value_(value) {}
  std::int64_t value_ = 0;
};

struct MembershipChange {
  RowRef group;
  RowRef user;
  std::uint32_t cause = 0;  // index into ChangeSet::causes
};

// Who and when, for the audit rows apply() writes for membership changes.
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
  std::vector<AuditEntry> audit;  // every change but memberships, whose rows apply() writes
  MembershipAudit membership_audit;
  std::vector<std::string> causes;  // of membership changes; index 0 may be ""

  std::size_t size() const {
    return users_to_create.size() + users_to_update.size() + groups_to_create.size() +
           groups_to_update.size() + groups_to_delete.size() + memberships_to_add.size() +
           memberships_to_remove.size() + permissions_to_grant.size() +
           permissions_to_revoke.size() + visibilities.size() + audit.size();
  }
  bool empty() const { return size() == 0; }
};

}  // namespace provisio
