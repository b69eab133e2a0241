#include "store/migrations.hpp"

namespace provisio::store {
namespace {

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

std::vector<Migration> build() {
  std::vector<Migration> all;
  all.push_back({1,
                 "initial schema",
                 {
                     R"(CREATE TABLE users (
  id {pk},
  uuid TEXT NOT NULL UNIQUE,
  login TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  email TEXT,
  active INTEGER NOT NULL,
  is_local INTEGER NOT NULL,
  managed INTEGER NOT NULL,
  external_provider TEXT NOT NULL,
  external_id TEXT,
  external_login TEXT,
  password_hash TEXT,
  created_at {bigint} NOT NULL,
  updated_at {bigint} NOT NULL,
  last_connection_at {bigint}
))",
                     "CREATE UNIQUE INDEX users_external ON users (external_provider, external_id)",
                     R"(CREATE TABLE user_groups (
  id {pk},
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  managed INTEGER NOT NULL,
  is_default INTEGER NOT NULL,
  external_id TEXT UNIQUE
))",
                     R"(CREATE TABLE group_members (
  group_id {bigint} NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
  user_id {bigint} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
))",
                     "CREATE INDEX group_members_user ON group_members (user_id)",
                     R"(CREATE TABLE projects (
  id {pk},
  uuid TEXT NOT NULL UNIQUE,
  project_key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  visibility TEXT NOT NULL,
  gitlab_project_id {bigint},
  created_at {bigint} NOT NULL
))",
                     "CREATE INDEX projects_gitlab ON projects (gitlab_project_id)",
                     R"(CREATE TABLE permissions (
  id {pk},
  project_id {bigint} REFERENCES projects (id) ON DELETE CASCADE,
  user_id {bigint} REFERENCES users (id) ON DELETE CASCADE,
  group_id {bigint} REFERENCES user_groups (id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  CHECK ((user_id IS NULL) <> (group_id IS NULL))
))",
                     std::string("CREATE UNIQUE INDEX permissions_unique ON permissions ") +
                         "(COALESCE(project_id, 0), COALESCE(user_id, 0), COALESCE(group_id, 0), " +
                         "permission)",
                     "CREATE INDEX permissions_user ON permissions (user_id)",
                     "CREATE INDEX permissions_group ON permissions (group_id)",
                     "CREATE INDEX permissions_project ON permissions (project_id)",
                     R"(CREATE TABLE gitlab_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  enabled INTEGER NOT NULL,
  application_id TEXT NOT NULL,
  url TEXT NOT NULL,
  secret_sealed TEXT,
  synchronize_groups INTEGER NOT NULL,
  provisioning_type TEXT NOT NULL,
  allowed_groups TEXT NOT NULL,
  allow_sign_up INTEGER NOT NULL,
  token_sealed TEXT,
  webhook_secret_sealed TEXT,
  updated_at {bigint} NOT NULL
))",
                     R"(CREATE TABLE role_mappings (
  role TEXT PRIMARY KEY,
  perm_user INTEGER NOT NULL,
  perm_codeviewer INTEGER NOT NULL,
  perm_issueadmin INTEGER NOT NULL,
  perm_securityhotspotadmin INTEGER NOT NULL,
  perm_admin INTEGER NOT NULL,
  perm_scan INTEGER NOT NULL
))",
                     R"(CREATE TABLE tasks (
  id {pk},
  uuid TEXT NOT NULL UNIQUE,
  task_type TEXT NOT NULL,
  status TEXT NOT NULL,
  project_id {bigint},
  submitter TEXT NOT NULL,
  submitted_at {bigint} NOT NULL,
  started_at {bigint},
  finished_at {bigint},
  node_id TEXT,
  lease_until {bigint},
  info_messages TEXT NOT NULL,
  warnings TEXT NOT NULL,
  error_message TEXT,
  counts TEXT NOT NULL,
  held INTEGER NOT NULL
))",
                     "CREATE INDEX tasks_status ON tasks (status, submitted_at)",
                     R"(CREATE TABLE audit_log (
  id {pk},
  at {bigint} NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity TEXT NOT NULL,
  before_value TEXT,
  after_value TEXT,
  cause TEXT,
  task_id {bigint}
))",
                     "CREATE INDEX audit_at ON audit_log (at)",
                     "CREATE INDEX audit_task ON audit_log (task_id)",
                     "CREATE INDEX audit_entity ON audit_log (entity_type, entity)",
                     // The default group: every active user belongs to it.
                     std::string("INSERT INTO user_groups (uuid, name, description, managed, ") +
                         "is_default) VALUES ('00000000-0000-4000-8000-000000000001', " +
                         "'sonar-users', 'Every active user', 0, 1)",
                     // The base roles with their default permissions (behaviour.md §1).
                     "INSERT INTO role_mappings VALUES ('owner', 1, 1, 1, 1, 1, 1)",
                     "INSERT INTO role_mappings VALUES ('maintainer', 1, 1, 1, 1, 1, 1)",
                     "INSERT INTO role_mappings VALUES ('developer', 1, 1, 1, 1, 0, 1)",
                     "INSERT INTO role_mappings VALUES ('reporter', 1, 1, 0, 0, 0, 0)",
                     "INSERT INTO role_mappings VALUES ('planner', 1, 0, 0, 0, 0, 0)",
                     "INSERT INTO role_mappings VALUES ('guest', 1, 0, 0, 0, 0, 0)",
                 }});
  all.push_back({2,
                 "plans held back by the guard",
                 {
                     R"(CREATE TABLE held_plans (
  task_id {bigint} PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  plan TEXT NOT NULL,
  created_at {bigint} NOT NULL
))",
                 }});
  all.push_back({3,
                 "login sessions and user tokens, stored as hashes",
                 {
                     R"(CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id {bigint} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at {bigint} NOT NULL,
  expires_at {bigint} NOT NULL
))",
                     "CREATE INDEX sessions_user ON sessions (user_id)",
                     R"(CREATE TABLE user_tokens (
  id {pk},
  user_id {bigint} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at {bigint} NOT NULL,
  UNIQUE (user_id, name)
))",
                 }});
  all.push_back({4,
                 "find users by email at login (GitLab emails are compared without case)",
                 {
                     "CREATE INDEX users_email ON users (LOWER(email))",
                 }});
  all.push_back({5,
                 "the progress of a running task, for every node's status",
                 {
                     "ALTER TABLE tasks ADD COLUMN progress TEXT",
                 }});
  all.push_back({6,
                 "event-driven partial syncs: what a task re-reads, and where groups are invited",
                 {
                     "ALTER TABLE tasks ADD COLUMN scope TEXT",
                     R"(CREATE TABLE gitlab_shares (
  invited_group_id {bigint} NOT NULL,
  into_project INTEGER NOT NULL,
  target_id {bigint} NOT NULL
))",
                     "CREATE INDEX gitlab_shares_invited ON gitlab_shares (invited_group_id)",
                 }});
  all.push_back({7,
                 "the groups holding global administrative permissions that JIT may manage",
                 {
                     "ALTER TABLE gitlab_config ADD COLUMN jit_privileged_groups TEXT NOT NULL "
                     "DEFAULT '[]'",
                 }});
  all.push_back({8,
                 "the process holding a task, so that its own machine can tell when it is gone",
                 {
                     "ALTER TABLE tasks ADD COLUMN node_process TEXT",
                 }});
  all.push_back({9,
                 "what a full sync covered: users, groups and projects in scope (NULL: not "
                 "recorded, as for partial syncs and the runs before this version)",
                 {
                     "ALTER TABLE tasks ADD COLUMN users_total {bigint}",
                     "ALTER TABLE tasks ADD COLUMN groups_total {bigint}",
                     "ALTER TABLE tasks ADD COLUMN projects_total {bigint}",
                 }});
  all.push_back({10,
                 "GitLab login states, so that each sign-in completes once across every node",
                 {
                     R"(CREATE TABLE oauth_states (
  state_hash TEXT PRIMARY KEY,
  expires_at {bigint} NOT NULL
))",
                     "CREATE INDEX oauth_states_expiry ON oauth_states (expires_at)",
                 }});
  return all;
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kAll = build();
  return kAll;
}

std::string render(const std::string& statement, sql::Dialect dialect) {
  std::string out = statement;
  const bool sqlite = dialect == sql::Dialect::kSqlite;
  replace_all(out, "{pk}", sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY");
  replace_all(out, "{bigint}", sqlite ? "INTEGER" : "BIGINT");
  return out;
}

}  // namespace provisio::store
