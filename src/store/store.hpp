#pragma once
// Start here for the database. Store is everything the rest of the code may ask of the database;
// SQLite (embedded, the default) and PostgreSQL (several nodes) implement it, and one conformance
// suite (tests/store) runs against both.
//
// Thread safety: a Store is safe to call from several threads at once; each call takes its own
// connection from a small pool. Every method that writes is one transaction: it commits whole or
// leaves nothing behind.
//
// Secrets: the GitLab configuration's secrets are encrypted with the SecretBox given at open and
// are decrypted only when read back through load_gitlab_config().

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/admin_guard.hpp"
#include "core/audit.hpp"
#include "core/change_set.hpp"
#include "core/error.hpp"
#include "core/gitlab_config.hpp"
#include "core/role_mapping.hpp"
#include "core/state.hpp"
#include "core/sync_scope.hpp"
#include "core/task.hpp"
#include "store/credentials.hpp"
#include "store/database_url.hpp"
#include "store/secret_box.hpp"

namespace provisio::store {

template <typename T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;
};

struct UserQuery {
  std::string q;             // substring of login, name or (with search_email) email
  bool search_email = true;  // false for callers who may not see emails
  std::optional<bool> active;
  std::optional<bool> managed;
  int page_index = 1;  // 1-based
  int page_size = 50;
};

struct GroupQuery {
  std::string q;  // substring of the name
  std::optional<bool> managed;
  int page_index = 1;
  int page_size = 50;
};

// Memberships, ordered by group then user; either filter may be absent.
struct MembershipQuery {
  std::optional<GroupId> group;
  std::optional<UserId> user;
  int page_index = 1;
  int page_size = 50;
};

struct MembershipRow {
  Group group;
  User user;
};

// The users holding permissions of one project (or global ones), ordered by login.
struct PermissionUsersQuery {
  std::optional<ProjectId> project;       // absent: the global permissions
  std::optional<std::string> permission;  // only holders of this one
  std::string q;                          // substring of login or name
  int page_index = 1;
  int page_size = 20;
};

struct UserPermissions {
  User user;
  std::vector<std::string> permissions;  // sorted
};

struct TaskQuery {
  std::optional<TaskType> type;
  std::vector<TaskStatus> statuses;  // empty: any
  int page_index = 1;
  int page_size = 100;
};

struct AuditQuery {
  std::optional<std::string> entity_type;
  std::optional<std::string> entity;
  std::optional<std::string> actor;  // who made the change: a login, "sync" or "login"
  // The rows about one user, by login: the user itself, the user's memberships ("group/login")
  // and the user's permissions ("project/login/permission").
  std::optional<std::string> user;
  std::optional<TaskId> task_id;
  std::optional<Millis> since;
  std::optional<Millis> until;
  int page_index = 1;
  int page_size = 100;
};

// The rows a partial sync compares its GitLab reads with (load_scoped_state), by GitLab ids.
struct StateScope {
  std::set<std::int64_t> gitlab_groups;    // mirrored groups
  std::set<std::int64_t> gitlab_projects;  // bound projects
  std::set<std::int64_t> gitlab_users;     // users provisioned from GitLab
  std::set<std::string> group_names;       // groups holding a name a mirrored group may take
  // When set, the memberships and grants of these users only (by GitLab id), and no other
  // user: an event about one member compares that member's rows only.
  std::optional<std::set<std::int64_t>> only_gitlab_users;
};

// A GitLab group invited into a group or a project, as the last full sync read it.
struct ShareLink {
  std::int64_t invited_group = 0;
  bool into_project = false;
  std::int64_t target = 0;  // the GitLab group or project id it is invited into
  friend bool operator==(const ShareLink&, const ShareLink&) = default;
};

struct ApplyResult {
  std::int64_t rows_written = 0;
};

// How a task's run ended; written with the task's lease checked.
struct TaskOutcome {
  TaskStatus status = TaskStatus::kSuccess;
  std::vector<std::string> info_messages;
  std::vector<std::string> warnings;
  std::optional<std::string> error_message;
  SyncCounts counts;
  bool held = false;
};

class Store {
 public:
  virtual ~Store() = default;

  // Which database this is: "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;

  // ---- schema
  // Applies every migration not yet recorded in schema_migrations, each in its own transaction.
  // Refuses (kFailedPrecondition) a database whose schema is newer than this binary knows.
  virtual Status migrate() = 0;
  virtual Result<int> schema_version() = 0;

  // ---- users
  // Creates a user (uuid generated when empty) and adds it to the default group when active.
  virtual Result<User> create_user(const User& user,
                                   const std::optional<std::string>& password_hash) = 0;
  virtual Result<User> get_user(UserId id) = 0;
  virtual Result<User> find_user_by_login(std::string_view login) = 0;
  virtual Result<User> find_user_by_external_id(ExternalProvider provider,
                                                std::string_view external_id) = 0;
  // By the uuid the HTTP API shows as the user's id; kNotFound when absent.
  virtual Result<User> find_user_by_uuid(std::string_view uuid) = 0;
  // Every user whose email equals `email` ignoring case (a GitLab login refuses an email that
  // another account holds); empty when none.
  virtual Result<std::vector<User>> find_users_by_email(std::string_view email) = 0;
  virtual Result<Page<User>> list_users(const UserQuery& query) = 0;
  // Overwrites name, email, active, managed, external fields and last connection. A user made
  // inactive loses every session and user token in the same transaction (so does apply()).
  virtual Status update_user(const User& user) = 0;
  virtual Result<std::optional<std::string>> password_hash(UserId id) = 0;
  virtual Status set_password_hash(UserId id, const std::string& hash) = 0;

  // ---- groups and memberships
  virtual Result<Group> create_group(const Group& group) = 0;
  virtual Result<Group> get_group(GroupId id) = 0;
  virtual Result<Group> find_group_by_name(std::string_view name) = 0;
  virtual Result<Group> find_group_by_uuid(std::string_view uuid) = 0;  // kNotFound when absent
  virtual Result<Page<Group>> list_groups(const GroupQuery& query) = 0;
  virtual Status update_group(const Group& group) = 0;               // name, description, managed
  virtual Status delete_group(GroupId id) = 0;                       // refuses the default group
  virtual Status add_membership(GroupId group, UserId user) = 0;     // idempotent
  virtual Status remove_membership(GroupId group, UserId user) = 0;  // idempotent
  virtual Result<std::vector<UserId>> group_members(GroupId group) = 0;
  // One page of memberships with their group and user: a large instance has millions.
  virtual Result<Page<MembershipRow>> list_memberships(const MembershipQuery& query) = 0;
  virtual Result<std::vector<GroupId>> user_groups(UserId user) = 0;
  // The names of the user's groups, sorted: one query, however many groups.
  virtual Result<std::vector<std::string>> user_group_names(UserId user) = 0;

  // ---- projects
  virtual Result<Project> create_project(const Project& project) = 0;
  virtual Result<Project> find_project_by_key(std::string_view key) = 0;
  virtual Result<Page<Project>> list_projects(std::string_view q, int page_index,
                                              int page_size) = 0;
  virtual Status update_project(const Project& project) = 0;  // name, visibility, binding
  virtual Status delete_project(ProjectId id) = 0;

  // ---- permissions
  virtual Status grant(const PermissionGrant& grant) = 0;   // idempotent
  virtual Status revoke(const PermissionGrant& grant) = 0;  // idempotent
  // Grants on one project, or global grants when project is empty.
  virtual Result<std::vector<PermissionGrant>> grants(std::optional<ProjectId> project) = 0;
  // Every grant held by `user` directly, global and on projects.
  virtual Result<std::vector<PermissionGrant>> user_grants(UserId user) = 0;
  // A page of the users holding permissions, with what each holds: a bound project on a large
  // instance has thousands.
  virtual Result<Page<UserPermissions>> list_permission_users(
      const PermissionUsersQuery& query) = 0;
  // Every holding of the global `admin` permission by an active user, directly or through a
  // group (core/admin_guard.hpp): what a change that may take it away is checked against.
  virtual Result<std::vector<AdminHolding>> admin_holdings() = 0;

  // ---- the whole state, for export and for the sync's plan
  virtual Result<AuthorizationState> load_state() = 0;

  // The part of the state a partial sync works on: the mirrored groups and bound projects named
  // (by GitLab id) with their memberships and permissions, every user those hold, the GitLab
  // users named, the default group with its memberships of those users, and the groups holding
  // the names given. Sorted as load_state() sorts.
  virtual Result<AuthorizationState> load_scoped_state(const StateScope& scope) = 0;
  // The GitLab project ids every bound project is bound to.
  virtual Result<std::set<std::int64_t>> bound_gitlab_projects() = 0;
  // The GitLab ids of the mirrored groups the given GitLab users belong to here, and of the
  // bound projects they hold permissions on: where a user event must look.
  virtual Result<SyncScope> rows_of_gitlab_users(const std::set<std::int64_t>& users) = 0;

  // ---- bulk path: every change of the set in one transaction, written in batched statements.
  virtual Result<ApplyResult> apply(const ChangeSet& changes) = 0;
  // The same, for a task's run: committed only while node_id still holds the task. Checked under
  // the queue's lock just before the commit, so a node that lost its lease while it computed or
  // wrote (paused, say, rather than dead) never commits once another node took the task over:
  // kAborted then, and nothing is written.
  virtual Result<ApplyResult> apply_for_task(const ChangeSet& changes, TaskId task,
                                             std::string_view node_id) = 0;

  // ---- GitLab configuration (a single one) and role mappings
  virtual Result<std::optional<GitlabConfig>> load_gitlab_config() = 0;
  virtual Status save_gitlab_config(const GitlabConfig& config) = 0;
  virtual Status delete_gitlab_config() = 0;
  // Leaving automatic provisioning: every user and group stays, none is managed any more.
  virtual Status clear_managed_flags() = 0;
  virtual Result<std::vector<RoleMapping>> role_mappings() = 0;      // base roles always present
  virtual Status save_role_mapping(const RoleMapping& mapping) = 0;  // insert or replace
  virtual Status delete_role_mapping(std::string_view role) = 0;     // refuses base roles

  // ---- task queue
  // Queues a task. When only_if_idle is true and a task of the same type is pending or in
  // progress, nothing is queued and kAlreadyExists names that task.
  virtual Result<Task> enqueue_task(const Task& task, bool only_if_idle) = 0;
  // Atomically claims the oldest claimable task for node_id: a pending one, or one in progress
  // whose node died: its lease expired before `now`, or, at once, its process ran on this machine
  // and is gone (the claim records this process's identity, process_identity.hpp, and checks the
  // holder's). A dead node's task is not resumed: it is marked FAILED ("Interrupted: ... Task N
  // runs it again.") and a new task with the same type, project and submitter is queued and
  // claimed in its place. At most one task is in progress with a live holder at any time, across
  // every node sharing the database. Empty when nothing is claimable or another node holds a
  // live lease (and runs, when it is on this machine).
  virtual Result<std::optional<Task>> claim_task(std::string_view node_id, Millis now,
                                                 Millis lease_ms) = 0;
  // Starts `task` at once on node_id (in progress, its lease until now + lease_ms), in one step
  // under the queue's lock, for work that must run here and now: applying a plan an
  // administrator confirmed. Refused with nothing written while any task is pending or in
  // progress (kAlreadyExists, naming it: its node keeps it), and when a task submitted after
  // task `none_since` has run since (kFailedPrecondition, naming it: what the work was computed
  // against may have changed).
  virtual Result<Task> start_task(const Task& task, TaskId none_since, std::string_view node_id,
                                  Millis now, Millis lease_ms) = 0;
  // Extends the lease. kAborted when the task is no longer held by node_id (lease lost).
  virtual Status heartbeat_task(TaskId id, std::string_view node_id, Millis now,
                                Millis lease_ms) = 0;
  // Records how far a running task has got (its status readers show it). kAborted when the task
  // is no longer held by node_id. Cheap, but meant for about one call a second at most.
  virtual Status set_task_progress(TaskId id, std::string_view node_id,
                                   const TaskProgress& progress) = 0;
  // Records the end of a run. kAborted when the task is no longer held by node_id.
  virtual Status finish_task(TaskId id, std::string_view node_id, Millis now,
                             const TaskOutcome& outcome) = 0;
  // Queues the event sync of `scope`: merged into the event task still pending if there is one
  // (a burst of events becomes one run), else a new pending task. Atomic across nodes. The
  // pending scope stays bounded: when the merge would name more than `max_ids` groups, projects,
  // users and members in all, the pending event task is canceled and one full sync is queued
  // instead (or the one already pending is returned); while a full sync is pending, it covers any
  // event and is returned. The returned task's type says which it is.
  virtual Result<Task> queue_event_scope(const SyncScope& scope, const std::string& submitter,
                                         Millis now, std::size_t max_ids) = 0;
  virtual Result<Task> get_task(TaskId id) = 0;
  virtual Result<Page<Task>> list_tasks(const TaskQuery& query) = 0;
  // The syncs queued after task `after` up to task `upto` (ids in (after, upto]), whatever their
  // status, in id order: what an event sync's cache of member lists must catch up on.
  virtual Result<std::vector<Task>> syncs_between(TaskId after, TaskId upto) = 0;

  // ---- plans held back by the guard, kept so that exactly that plan can be confirmed
  virtual Status save_held_plan(TaskId task, const ChangeSet& plan) = 0;
  virtual Result<ChangeSet> load_held_plan(TaskId task) = 0;  // kNotFound when none
  virtual Status delete_held_plan(TaskId task) = 0;

  // ---- where GitLab groups are invited, as the last full sync read it: the groups and projects
  // whose access a membership change of an invited group also changes (GitLab lists shares only
  // from the side of the group or project invited into).
  virtual Status save_share_links(const std::vector<ShareLink>& links) = 0;  // replaces them all
  virtual Result<std::vector<ShareLink>> share_links_of(
      const std::set<std::int64_t>& invited_groups) = 0;

  // ---- sessions and user tokens (only their hashes are stored; see credentials.hpp)
  virtual Status create_session(const SessionRecord& session) = 0;
  // kNotFound when there is no such session or it expired before `now` (an expired one is
  // deleted on the way).
  virtual Result<SessionRecord> find_session(std::string_view id_hash, Millis now) = 0;
  virtual Status delete_session(std::string_view id_hash) = 0;  // idempotent
  virtual Status delete_user_credentials(UserId user) = 0;      // sessions and tokens
  // Ends every session of `user` but the one with the hash `keep_id_hash` (a password change
  // keeps the session it was made from). Tokens stay.
  virtual Status delete_sessions_of(UserId user, std::optional<std::string> keep_id_hash) = 0;

  // ---- the GitLab login's states, so that a flow completes once across every node
  // Records a flow's state (its hash) until `expires_at`; drops the states expired before `now`.
  virtual Status save_oauth_state(std::string_view state_hash, Millis expires_at, Millis now) = 0;
  // Deletes the state and says whether it was there and had not expired: true once per state.
  virtual Result<bool> consume_oauth_state(std::string_view state_hash, Millis now) = 0;
  // kAlreadyExists when the user has a token of that name; the stored token (with its id).
  virtual Result<UserToken> create_user_token(const UserToken& token) = 0;
  virtual Result<UserToken> find_user_token(std::string_view token_hash) = 0;  // kNotFound
  virtual Result<std::vector<UserToken>> list_user_tokens(UserId user) = 0;    // by name
  virtual Status delete_user_token(UserId user, std::string_view name) = 0;    // kNotFound

  // ---- audit
  virtual Status append_audit(const std::vector<AuditEntry>& entries) = 0;
  virtual Result<Page<AuditEntry>> list_audit(const AuditQuery& query) = 0;
};

// The schema version this binary migrates to; a database at a lower version needs `migrate`.
int latest_schema_version();

// Opens the database named by url (see database_url.hpp) with a pool of `connections`.
// Does not migrate: call migrate().
Result<std::unique_ptr<Store>> open_store(const DatabaseUrl& url,
                                          std::shared_ptr<const SecretBox> secrets,
                                          int connections = 4);

}  // namespace provisio::store
