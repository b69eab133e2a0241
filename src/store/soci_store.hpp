#pragma once
// The Store on SQLite and PostgreSQL through SOCI: one set of statements, the few dialect
// differences spelled out where they occur. Internal to src/store; others use store.hpp.

#include <memory>

#include "store/sql.hpp"
#include "store/store.hpp"

namespace provisio::store {

class SociStore final : public Store {
 public:
  SociStore(std::unique_ptr<sql::Db> db, std::shared_ptr<const SecretBox> secrets)
      : db_(std::move(db)), secrets_(std::move(secrets)) {}

  std::string_view backend() const override;
  Status migrate() override;
  Result<int> schema_version() override;

  Result<User> create_user(const User& user,
                           const std::optional<std::string>& password_hash) override;
  Result<User> get_user(UserId id) override;
  Result<User> find_user_by_login(std::string_view login) override;
  Result<User> find_user_by_external_id(ExternalProvider provider,
                                        std::string_view external_id) override;
  Result<User> find_user_by_uuid(std::string_view uuid) override;
  Result<std::vector<User>> find_users_by_email(std::string_view email) override;
  Result<Page<User>> list_users(const UserQuery& query) override;
  Status update_user(const User& user) override;
  Result<std::optional<std::string>> password_hash(UserId id) override;
  Status set_password_hash(UserId id, const std::string& hash) override;

  Result<Group> create_group(const Group& group) override;
  Result<Group> get_group(GroupId id) override;
  Result<Group> find_group_by_name(std::string_view name) override;
  Result<Group> find_group_by_uuid(std::string_view uuid) override;
  Result<Page<Group>> list_groups(const GroupQuery& query) override;
  Status update_group(const Group& group) override;
  Status delete_group(GroupId id) override;
  Status add_membership(GroupId group, UserId user) override;
  Status remove_membership(GroupId group, UserId user) override;
  Result<std::vector<UserId>> group_members(GroupId group) override;
  Result<Page<MembershipRow>> list_memberships(const MembershipQuery& query) override;
  Result<Page<UserPermissions>> list_permission_users(const PermissionUsersQuery& query) override;
  Result<std::vector<AdminHolding>> admin_holdings() override;
  Result<std::vector<GroupId>> user_groups(UserId user) override;
  Result<std::vector<std::string>> user_group_names(UserId user) override;

  Result<Project> create_project(const Project& project) override;
  Result<Project> find_project_by_key(std::string_view key) override;
  Result<Page<Project>> list_projects(std::string_view q, int page_index, int page_size) override;
  Status update_project(const Project& project) override;
  Status delete_project(ProjectId id) override;

  Status grant(const PermissionGrant& grant) override;
  Status revoke(const PermissionGrant& grant) override;
  Result<std::vector<PermissionGrant>> grants(std::optional<ProjectId> project) override;
  Result<std::vector<PermissionGrant>> user_grants(UserId user) override;

  Result<AuthorizationState> load_state() override;
  Result<AuthorizationState> load_scoped_state(const StateScope& scope) override;
  Result<std::set<std::int64_t>> bound_gitlab_projects() override;
  Result<SyncScope> rows_of_gitlab_users(const std::set<std::int64_t>& users) override;
  Status save_share_links(const std::vector<ShareLink>& links) override;
  Result<std::vector<ShareLink>> share_links_of(const std::set<std::int64_t>& invited) override;
  Result<Task> queue_event_scope(const SyncScope& scope, const std::string& submitter, Millis now,
                                 std::size_t max_ids) override;
  Result<ApplyResult> apply(const ChangeSet& changes) override;
  Result<ApplyResult> apply_for_task(const ChangeSet& changes, TaskId task,
                                     std::string_view node_id) override;

  Result<std::optional<GitlabConfig>> load_gitlab_config() override;
  Status save_gitlab_config(const GitlabConfig& config) override;
  Status delete_gitlab_config() override;
  Status clear_managed_flags() override;
  Result<std::vector<RoleMapping>> role_mappings() override;
  Status save_role_mapping(const RoleMapping& mapping) override;
  Status delete_role_mapping(std::string_view role) override;

  Result<Task> enqueue_task(const Task& task, bool only_if_idle) override;
  Result<Task> start_task(const Task& task, TaskId none_since, std::string_view node_id, Millis now,
                          Millis lease_ms) override;
  Result<std::optional<Task>> claim_task(std::string_view node_id, Millis now,
                                         Millis lease_ms) override;
  Status heartbeat_task(TaskId id, std::string_view node_id, Millis now, Millis lease_ms) override;
  Status set_task_progress(TaskId id, std::string_view node_id,
                           const TaskProgress& progress) override;
  Status finish_task(TaskId id, std::string_view node_id, Millis now,
                     const TaskOutcome& outcome) override;
  Result<Task> get_task(TaskId id) override;
  Result<Page<Task>> list_tasks(const TaskQuery& query) override;
  Result<std::vector<Task>> syncs_between(TaskId after, TaskId upto) override;

  Status save_held_plan(TaskId task, const ChangeSet& plan) override;
  Result<ChangeSet> load_held_plan(TaskId task) override;
  Status delete_held_plan(TaskId task) override;

  Status create_session(const SessionRecord& session) override;
  Result<SessionRecord> find_session(std::string_view id_hash, Millis now) override;
  Status delete_session(std::string_view id_hash) override;
  Status delete_user_credentials(UserId user) override;
  Status delete_sessions_of(UserId user, std::optional<std::string> keep_id_hash) override;
  Status save_oauth_state(std::string_view state_hash, Millis expires_at, Millis now) override;
  Result<bool> consume_oauth_state(std::string_view state_hash, Millis now) override;
  Result<UserToken> create_user_token(const UserToken& token) override;
  Result<UserToken> find_user_token(std::string_view token_hash) override;
  Result<std::vector<UserToken>> list_user_tokens(UserId user) override;
  Status delete_user_token(UserId user, std::string_view name) override;

  Status append_audit(const std::vector<AuditEntry>& entries) override;
  Result<Page<AuditEntry>> list_audit(const AuditQuery& query) override;

 private:
  // Serialises writers that must not interleave across nodes (task claims, migrations):
  // PostgreSQL takes a transaction-scoped advisory lock; SQLite's BEGIN IMMEDIATE already did.
  void lock_queue(sql::Lease& lease);
  // GitLab secrets sealed before they were bound to the URL (SecretBox v1) sealed again, bound.
  void reseal_legacy_secrets(sql::Lease& lease);
  // Deletes the sessions and user tokens of `user`, inside the caller's transaction.
  static void drop_credentials(sql::Lease& lease, UserId user);
  // True while an active user holds the global `admin` permission, directly or through a group
  // (behaviour.md §5: never without an administrator). Inside the caller's transaction.
  static bool has_active_admin(sql::Lease& lease);
  // apply() and apply_for_task(): with a fence, committed only while its node holds the task.
  struct TaskFence {
    TaskId task = 0;
    std::string node_id;
  };
  Result<ApplyResult> apply_fenced(const ChangeSet& changes, const TaskFence* fence);

  std::unique_ptr<sql::Db> db_;
  std::shared_ptr<const SecretBox> secrets_;
};

}  // namespace provisio::store
