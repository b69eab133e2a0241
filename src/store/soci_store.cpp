// Schema, users, groups, memberships, projects, permissions and the whole-state read.
#include "store/soci_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "store/migrations.hpp"
#include "store/query.hpp"
#include "store/rows.hpp"
#include "store/uuid.hpp"

namespace provisio::store {

using sql::Binder;
using sql::guarded;
using sql::Lease;
using sql::Tx;

std::string_view SociStore::backend() const {
  return db_->dialect() == sql::Dialect::kSqlite ? "sqlite" : "postgresql";
}

void SociStore::lock_queue(Lease& lease) {
  if (lease.dialect() == sql::Dialect::kPostgresql) {
    // One lock key for everything that must run on one node at a time (task claims, migrations).
    *lease << "SELECT pg_advisory_xact_lock(7301995)";
  }
}

Status SociStore::migrate() {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    *lease << render(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at {bigint} NOT NULL)",
        lease.dialect());
    const int known = migrations().back().version;
    for (const Migration& m : migrations()) {
      Tx tx(lease);
      lock_queue(lease);  // two nodes starting at once: the second waits, then sees it done
      int current = 0;
      soci::indicator ind = soci::i_ok;
      *lease << "SELECT MAX(version) FROM schema_migrations", soci::into(current, ind);
      if (ind == soci::i_null) current = 0;
      if (current > known) {
        return make_error(ErrorCode::kFailedPrecondition,
                          "The database schema is at version " + std::to_string(current) +
                              ", newer than this Provisio knows (" + std::to_string(known) +
                              "). Run the newer Provisio, or restore a backup made before the "
                              "upgrade.");
      }
      if (m.version <= current) continue;
      for (const std::string& statement : m.statements)
        *lease << render(statement, lease.dialect());
      long long at = now_ms();
      *lease << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :a)",
          soci::use(m.version), soci::use(m.name), soci::use(at);
      tx.commit();
    }
    reseal_legacy_secrets(lease);
    return {};
  });
}

Result<int> SociStore::schema_version() {
  return guarded([&]() -> Result<int> {
    Lease lease(*db_);
    int exists = 0;
    if (lease.dialect() == sql::Dialect::kSqlite) {
      *lease << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = "
                "'schema_migrations'",
          soci::into(exists);
    } else {
      *lease << "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                "current_schema() AND table_name = 'schema_migrations'",
          soci::into(exists);
    }
    if (exists == 0) return 0;
    int version = 0;
    soci::indicator ind = soci::i_ok;
    *lease << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
    return ind == soci::i_null ? 0 : version;
  });
}

// ---- users

Result<User> SociStore::create_user(const User& user,
                                    const std::optional<std::string>& password_hash) {
  return guarded([&]() -> Result<User> {
    User u = user;
    if (u.uuid.empty()) u.uuid = new_uuid();
    if (u.created_at == 0) u.created_at = now_ms();
    if (u.updated_at == 0) u.updated_at = u.created_at;
    Lease lease(*db_);
    Tx tx(lease);
    Binder b(*lease);
    std::string sql =
        "INSERT INTO users (uuid, login, name, email, active, is_local, managed, "
        "external_provider, external_id, external_login, password_hash, created_at, updated_at, "
        "last_connection_at) VALUES (" +
        b.add(u.uuid) + ", " + b.add(u.login) + ", " + b.add(u.name) + ", " + b.add(u.email) +
        ", " + b.add(static_cast<long long>(u.active)) + ", " +
        b.add(static_cast<long long>(u.local)) + ", " + b.add(static_cast<long long>(u.managed)) +
        ", " + b.add(std::string(to_string(u.external_provider))) + ", " + b.add(u.external_id) +
        ", " + b.add(u.external_login) + ", " + b.add(password_hash) + ", " +
        b.add(static_cast<long long>(u.created_at)) + ", " +
        b.add(static_cast<long long>(u.updated_at)) + ", " +
        b.add(std::optional<long long>(u.last_connection_at)) + ")";
    b.execute(sql);
    long long id = 0;
    *lease << "SELECT id FROM users WHERE uuid = :u", soci::use(u.uuid), soci::into(id);
    u.id = id;
    if (u.active) {
      *lease << "INSERT INTO group_members (group_id, user_id) SELECT id, :u FROM user_groups "
                "WHERE is_default = 1",
          soci::use(id);
    }
    tx.commit();
    return u;
  });
}

namespace {

template <typename Row>
auto one(Lease& lease, const std::string& where, const auto& value, const char* table,
         std::string_view what) -> Result<decltype(Row().get())> {
  Row row;
  Binder b(*lease);
  row.bind(b.statement());
  auto found = collect(b, row,
                       std::string("SELECT ") + Row::kColumns + " FROM " + table + " WHERE " +
                           where + " = " + b.add(value));
  if (found.empty()) return make_error(ErrorCode::kNotFound, std::string(what) + " not found.");
  return found.front();
}

}  // namespace

Result<User> SociStore::get_user(UserId id) {
  return guarded([&]() -> Result<User> {
    Lease lease(*db_);
    return one<rows::UserRow>(lease, "id", static_cast<long long>(id), "users",
                              "User " + std::to_string(id));
  });
}

Result<User> SociStore::find_user_by_login(std::string_view login) {
  return guarded([&]() -> Result<User> {
    Lease lease(*db_);
    return one<rows::UserRow>(lease, "login", std::string(login), "users",
                              "User '" + std::string(login) + "'");
  });
}

Result<User> SociStore::find_user_by_external_id(ExternalProvider provider,
                                                 std::string_view external_id) {
  return guarded([&]() -> Result<User> {
    Lease lease(*db_);
    rows::UserRow row;
    Binder b(*lease);
    row.bind(b.statement());
    auto found = collect(
        b, row,
        std::string("SELECT ") + rows::UserRow::kColumns +
            " FROM users WHERE external_provider = " + b.add(std::string(to_string(provider))) +
            " AND external_id = " + b.add(std::string(external_id)));
    if (found.empty()) {
      return make_error(ErrorCode::kNotFound, "No user with " + std::string(to_string(provider)) +
                                                  " id " + std::string(external_id) + ".");
    }
    return found.front();
  });
}

Result<std::vector<User>> SociStore::find_users_by_email(std::string_view email) {
  return guarded([&]() -> Result<std::vector<User>> {
    Lease lease(*db_);
    rows::UserRow row;
    Binder b(*lease);
    row.bind(b.statement());
    return collect(b, row,
                   std::string("SELECT ") + rows::UserRow::kColumns +
                       " FROM users WHERE LOWER(email) = LOWER(" + b.add(std::string(email)) +
                       ") ORDER BY id");
  });
}

Result<Page<User>> SociStore::list_users(const UserQuery& query) {
  return guarded([&]() -> Result<Page<User>> {
    Lease lease(*db_);
    const auto where = [&](Binder& b) {
      std::string w = " WHERE 1 = 1";
      if (!query.q.empty()) {
        const std::string p = b.add(like_pattern(query.q));
        w += " AND (LOWER(login) LIKE " + p + " ESCAPE '\\' OR LOWER(name) LIKE " +
             b.add(like_pattern(query.q)) + " ESCAPE '\\'";
        if (query.search_email) {
          w += " OR LOWER(COALESCE(email, '')) LIKE " + b.add(like_pattern(query.q)) +
               " ESCAPE '\\'";
        }
        w += ")";
      }
      if (query.active) w += " AND active = " + b.add(static_cast<long long>(*query.active));
      if (query.managed) w += " AND managed = " + b.add(static_cast<long long>(*query.managed));
      return w;
    };
    Page<User> page;
    {
      Binder b(*lease);
      long long total = 0;
      b.statement().exchange(soci::into(total));
      b.query("SELECT COUNT(*) FROM users" + where(b));
      page.total = total;
    }
    rows::UserRow row;
    Binder b(*lease);
    row.bind(b.statement());
    const std::string w = where(b);
    page.items =
        collect(b, row,
                std::string("SELECT ") + rows::UserRow::kColumns + " FROM users" + w +
                    " ORDER BY login" + limit_offset(b, query.page_index, query.page_size));
    return page;
  });
}

Status SociStore::update_user(const User& u) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Tx tx(lease);
    Binder b(*lease);
    const long long changed = b.execute(
        "UPDATE users SET name = " + b.add(u.name) + ", email = " + b.add(u.email) +
        ", active = " + b.add(static_cast<long long>(u.active)) +
        ", managed = " + b.add(static_cast<long long>(u.managed)) +
        ", external_provider = " + b.add(std::string(to_string(u.external_provider))) +
        ", external_id = " + b.add(u.external_id) + ", external_login = " +
        b.add(u.external_login) + ", updated_at = " + b.add(static_cast<long long>(now_ms())) +
        ", last_connection_at = " + b.add(std::optional<long long>(u.last_connection_at)) +
        " WHERE id = " + b.add(static_cast<long long>(u.id)));
    if (changed == 0)
      return make_error(ErrorCode::kNotFound, "User " + std::to_string(u.id) + " not found.");
    if (!u.active) drop_credentials(lease, u.id);
    tx.commit();
    return {};
  });
}

Result<std::optional<std::string>> SociStore::password_hash(UserId id) {
  return guarded([&]() -> Result<std::optional<std::string>> {
    Lease lease(*db_);
    std::string hash;
    soci::indicator ind = soci::i_ok;
    long long uid = id;
    *lease << "SELECT password_hash FROM users WHERE id = :id", soci::use(uid),
        soci::into(hash, ind);
    if (!lease->got_data()) return make_error(ErrorCode::kNotFound, "User not found.");
    if (ind == soci::i_null) return std::optional<std::string>();
    return std::optional<std::string>(hash);
  });
}

Status SociStore::set_password_hash(UserId id, const std::string& hash) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    if (b.execute("UPDATE users SET password_hash = " + b.add(hash) +
                  " WHERE id = " + b.add(static_cast<long long>(id))) == 0) {
      return make_error(ErrorCode::kNotFound, "User not found.");
    }
    return {};
  });
}

// ---- groups and memberships

Result<Group> SociStore::create_group(const Group& group) {
  return guarded([&]() -> Result<Group> {
    Group g = group;
    if (g.uuid.empty()) g.uuid = new_uuid();
    g.is_default = false;  // there is exactly one default group, made by the schema
    Lease lease(*db_);
    Binder b(*lease);
    b.execute(
        "INSERT INTO user_groups (uuid, name, description, managed, is_default, "
        "external_id) VALUES (" +
        b.add(g.uuid) + ", " + b.add(g.name) + ", " + b.add(g.description) + ", " +
        b.add(static_cast<long long>(g.managed)) + ", 0, " + b.add(g.external_id) + ")");
    long long id = 0;
    *lease << "SELECT id FROM user_groups WHERE uuid = :u", soci::use(g.uuid), soci::into(id);
    g.id = id;
    return g;
  });
}

Result<Group> SociStore::get_group(GroupId id) {
  return guarded([&]() -> Result<Group> {
    Lease lease(*db_);
    return one<rows::GroupRow>(lease, "id", static_cast<long long>(id), "user_groups",
                               "Group " + std::to_string(id));
  });
}

Result<Group> SociStore::find_group_by_name(std::string_view name) {
  return guarded([&]() -> Result<Group> {
    Lease lease(*db_);
    return one<rows::GroupRow>(lease, "name", std::string(name), "user_groups",
                               "Group '" + std::string(name) + "'");
  });
}

Result<Page<Group>> SociStore::list_groups(const GroupQuery& query) {
  return guarded([&]() -> Result<Page<Group>> {
    Lease lease(*db_);
    const auto where = [&](Binder& b) {
      std::string w = " WHERE 1 = 1";
      if (!query.q.empty()) {
        w += " AND LOWER(name) LIKE " + b.add(like_pattern(query.q)) + " ESCAPE '\\'";
      }
      if (query.managed) w += " AND managed = " + b.add(static_cast<long long>(*query.managed));
      return w;
    };
    Page<Group> page;
    {
      Binder b(*lease);
      long long total = 0;
      b.statement().exchange(soci::into(total));
      b.query("SELECT COUNT(*) FROM user_groups" + where(b));
      page.total = total;
    }
    rows::GroupRow row;
    Binder b(*lease);
    row.bind(b.statement());
    const std::string w = where(b);
    page.items =
        collect(b, row,
                std::string("SELECT ") + rows::GroupRow::kColumns + " FROM user_groups" + w +
                    " ORDER BY name" + limit_offset(b, query.page_index, query.page_size));
    return page;
  });
}

Status SociStore::update_group(const Group& g) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    if (b.execute("UPDATE user_groups SET name = " + b.add(g.name) + ", description = " +
                  b.add(g.description) + ", managed = " + b.add(static_cast<long long>(g.managed)) +
                  ", external_id = " + b.add(g.external_id) +
                  " WHERE id = " + b.add(static_cast<long long>(g.id))) == 0) {
      return make_error(ErrorCode::kNotFound, "Group " + std::to_string(g.id) + " not found.");
    }
    return {};
  });
}

Status SociStore::delete_group(GroupId id) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Tx tx(lease);
    int is_default = 0;
    long long gid = id;
    *lease << "SELECT is_default FROM user_groups WHERE id = :id", soci::use(gid),
        soci::into(is_default);
    if (!lease->got_data()) return make_error(ErrorCode::kNotFound, "Group not found.");
    if (is_default != 0) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "The default group 'sonar-users' cannot be deleted.");
    }
    *lease << "DELETE FROM user_groups WHERE id = :id", soci::use(gid);
    tx.commit();
    return {};
  });
}

Status SociStore::add_membership(GroupId group, UserId user) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    long long g = group, u = user;
    *lease
        << "INSERT INTO group_members (group_id, user_id) VALUES (:g, :u) ON CONFLICT DO NOTHING",
        soci::use(g), soci::use(u);
    return {};
  });
}

Status SociStore::remove_membership(GroupId group, UserId user) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    long long g = group, u = user;
    *lease << "DELETE FROM group_members WHERE group_id = :g AND user_id = :u", soci::use(g),
        soci::use(u);
    return {};
  });
}

namespace {

std::vector<long long> ids(Lease& lease, const std::string& sql, long long param) {
  std::vector<long long> out;
  long long v = 0;
  soci::statement st = (lease->prepare << sql, soci::use(param), soci::into(v));
  st.execute();
  while (st.fetch()) out.push_back(v);
  return out;
}

}  // namespace

Result<std::vector<UserId>> SociStore::group_members(GroupId group) {
  return guarded([&]() -> Result<std::vector<UserId>> {
    Lease lease(*db_);
    auto v =
        ids(lease, "SELECT user_id FROM group_members WHERE group_id = :g ORDER BY user_id", group);
    return std::vector<UserId>(v.begin(), v.end());
  });
}

Result<Page<MembershipRow>> SociStore::list_memberships(const MembershipQuery& query) {
  return guarded([&]() -> Result<Page<MembershipRow>> {
    Lease lease(*db_);
    const auto where = [&](Binder& b) {
      std::string w = " WHERE 1 = 1";
      if (query.group) w += " AND group_id = " + b.add(static_cast<long long>(*query.group));
      if (query.user) w += " AND user_id = " + b.add(static_cast<long long>(*query.user));
      return w;
    };
    Page<MembershipRow> page;
    {
      Binder b(*lease);
      long long total = 0;
      b.statement().exchange(soci::into(total));
      b.query("SELECT COUNT(*) FROM group_members" + where(b));
      page.total = total;
    }
    std::vector<std::pair<long long, long long>> pairs;
    {
      Binder b(*lease);
      long long g = 0, u = 0;
      b.statement().exchange(soci::into(g));
      b.statement().exchange(soci::into(u));
      const std::string w = where(b);
      if (b.query("SELECT group_id, user_id FROM group_members" + w +
                  " ORDER BY group_id, user_id" +
                  limit_offset(b, query.page_index, query.page_size))) {
        do {
          pairs.emplace_back(g, u);
        } while (b.statement().fetch());
      }
    }
    // The page's groups and users, each read once.
    const auto in_list = [&](Binder& b, bool users) {
      std::set<long long> ids;
      for (const auto& [g, u] : pairs) ids.insert(users ? u : g);
      std::string list;
      for (const long long id : ids) list += (list.empty() ? "" : ", ") + b.add(id);
      return list;
    };
    std::map<long long, Group> groups;
    std::map<long long, User> users;
    if (!pairs.empty()) {
      rows::GroupRow group_row;
      Binder gb(*lease);
      group_row.bind(gb.statement());
      for (Group& g : collect(gb, group_row,
                              std::string("SELECT ") + rows::GroupRow::kColumns +
                                  " FROM user_groups WHERE id IN (" + in_list(gb, false) + ")")) {
        groups.emplace(g.id, std::move(g));
      }
      rows::UserRow user_row;
      Binder ub(*lease);
      user_row.bind(ub.statement());
      for (User& u : collect(ub, user_row,
                             std::string("SELECT ") + rows::UserRow::kColumns +
                                 " FROM users WHERE id IN (" + in_list(ub, true) + ")")) {
        users.emplace(u.id, std::move(u));
      }
    }
    for (const auto& [g, u] : pairs) {
      const auto group = groups.find(g);
      const auto user = users.find(u);
      if (group != groups.end() && user != users.end()) {
        page.items.push_back({group->second, user->second});
      }
    }
    return page;
  });
}

Result<std::vector<GroupId>> SociStore::user_groups(UserId user) {
  return guarded([&]() -> Result<std::vector<GroupId>> {
    Lease lease(*db_);
    auto v =
        ids(lease, "SELECT group_id FROM group_members WHERE user_id = :u ORDER BY group_id", user);
    return std::vector<GroupId>(v.begin(), v.end());
  });
}

Result<std::vector<std::string>> SociStore::user_group_names(UserId user) {
  return guarded([&]() -> Result<std::vector<std::string>> {
    Lease lease(*db_);
    std::string name;
    long long id = user;
    soci::statement st = (lease->prepare << "SELECT g.name FROM group_members m JOIN user_groups g "
                                            "ON g.id = m.group_id WHERE m.user_id = :u "
                                            "ORDER BY g.name",
                          soci::use(id), soci::into(name));
    st.execute();
    std::vector<std::string> out;
    while (st.fetch()) out.push_back(name);
    return out;
  });
}

// ---- projects

Result<Project> SociStore::create_project(const Project& project) {
  return guarded([&]() -> Result<Project> {
    Project p = project;
    if (p.uuid.empty()) p.uuid = new_uuid();
    Lease lease(*db_);
    Binder b(*lease);
    b.execute(
        "INSERT INTO projects (uuid, project_key, name, visibility, gitlab_project_id, "
        "created_at) VALUES (" +
        b.add(p.uuid) + ", " + b.add(p.key) + ", " + b.add(p.name) + ", " +
        b.add(std::string(to_string(p.visibility))) + ", " +
        b.add(std::optional<long long>(p.gitlab_project_id)) + ", " +
        b.add(static_cast<long long>(now_ms())) + ")");
    long long id = 0;
    *lease << "SELECT id FROM projects WHERE uuid = :u", soci::use(p.uuid), soci::into(id);
    p.id = id;
    return p;
  });
}

Result<Project> SociStore::find_project_by_key(std::string_view key) {
  return guarded([&]() -> Result<Project> {
    Lease lease(*db_);
    return one<rows::ProjectRow>(lease, "project_key", std::string(key), "projects",
                                 "Project '" + std::string(key) + "'");
  });
}

Result<Page<Project>> SociStore::list_projects(std::string_view q, int page_index, int page_size) {
  return guarded([&]() -> Result<Page<Project>> {
    Lease lease(*db_);
    const auto where = [&](Binder& b) {
      if (q.empty()) return std::string();
      return " WHERE LOWER(project_key) LIKE " + b.add(like_pattern(q)) +
             " ESCAPE '\\' OR LOWER(name) LIKE " + b.add(like_pattern(q)) + " ESCAPE '\\'";
    };
    Page<Project> page;
    {
      Binder b(*lease);
      long long total = 0;
      b.statement().exchange(soci::into(total));
      b.query("SELECT COUNT(*) FROM projects" + where(b));
      page.total = total;
    }
    rows::ProjectRow row;
    Binder b(*lease);
    row.bind(b.statement());
    const std::string w = where(b);
    page.items = collect(b, row,
                         std::string("SELECT ") + rows::ProjectRow::kColumns + " FROM projects" +
                             w + " ORDER BY project_key" + limit_offset(b, page_index, page_size));
    return page;
  });
}

Status SociStore::update_project(const Project& p) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    if (b.execute("UPDATE projects SET name = " + b.add(p.name) +
                  ", visibility = " + b.add(std::string(to_string(p.visibility))) +
                  ", gitlab_project_id = " + b.add(std::optional<long long>(p.gitlab_project_id)) +
                  " WHERE id = " + b.add(static_cast<long long>(p.id))) == 0) {
      return make_error(ErrorCode::kNotFound, "Project " + std::to_string(p.id) + " not found.");
    }
    return {};
  });
}

Status SociStore::delete_project(ProjectId id) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    long long pid = id;
    *lease << "DELETE FROM projects WHERE id = :id", soci::use(pid);
    return {};
  });
}

// ---- permissions

Status SociStore::grant(const PermissionGrant& g) {
  if (g.user_id.has_value() == g.group_id.has_value()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "A permission is held by exactly one of a user or a group.");
  }
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    b.execute("INSERT INTO permissions (project_id, user_id, group_id, permission) VALUES (" +
              b.add(std::optional<long long>(g.project_id)) + ", " +
              b.add(std::optional<long long>(g.user_id)) + ", " +
              b.add(std::optional<long long>(g.group_id)) + ", " + b.add(g.permission) +
              ") ON CONFLICT DO NOTHING");
    return {};
  });
}

Status SociStore::revoke(const PermissionGrant& g) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    b.execute(
        "DELETE FROM permissions WHERE COALESCE(project_id, 0) = " +
        b.add(static_cast<long long>(g.project_id.value_or(0))) +
        " AND COALESCE(user_id, 0) = " + b.add(static_cast<long long>(g.user_id.value_or(0))) +
        " AND COALESCE(group_id, 0) = " + b.add(static_cast<long long>(g.group_id.value_or(0))) +
        " AND permission = " + b.add(g.permission));
    return {};
  });
}

Result<std::vector<PermissionGrant>> SociStore::grants(std::optional<ProjectId> project) {
  return guarded([&]() -> Result<std::vector<PermissionGrant>> {
    Lease lease(*db_);
    rows::GrantRow row;
    Binder b(*lease);
    row.bind(b.statement());
    const std::string where =
        project ? "project_id = " + b.add(static_cast<long long>(*project)) : "project_id IS NULL";
    return collect(b, row,
                   std::string("SELECT ") + rows::GrantRow::kColumns + " FROM permissions WHERE " +
                       where + " ORDER BY id");
  });
}

Result<Page<UserPermissions>> SociStore::list_permission_users(const PermissionUsersQuery& query) {
  return guarded([&]() -> Result<Page<UserPermissions>> {
    Lease lease(*db_);
    // The grants looked at: of the project, or the global ones (project 0); of one permission
    // when asked. A user's grants are found through permissions_user (user_id), then filtered:
    // a user holds a few per bound project. (The unique index's expressions would serve only
    // their first column here: SQLite then read all of a project's grants for each user.)
    const auto grants = [&](Binder& b) {
      std::string w =
          "COALESCE(p.project_id, 0) = " + b.add(static_cast<long long>(query.project.value_or(0)));
      if (query.permission) w += " AND p.permission = " + b.add(*query.permission);
      return w;
    };
    const auto text_filter = [&](Binder& b) -> std::string {
      if (query.q.empty()) return "";
      return " AND (LOWER(login) LIKE " + b.add(like_pattern(query.q)) +
             " ESCAPE '\\' OR LOWER(name) LIKE " + b.add(like_pattern(query.q)) + " ESCAPE '\\')";
    };
    // Users in login order that hold one of the grants: the walk stops once the page is full.
    const auto holders = [&](Binder& b) {
      return " FROM users WHERE EXISTS (SELECT 1 FROM permissions p WHERE p.user_id = users.id "
             "AND " +
             grants(b) + ")" + text_filter(b);
    };
    Page<UserPermissions> page;
    {
      Binder b(*lease);
      long long total = 0;
      b.statement().exchange(soci::into(total));
      if (query.q.empty()) {
        b.query("SELECT COUNT(DISTINCT COALESCE(p.user_id, 0)) FROM permissions p WHERE " +
                grants(b) + " AND COALESCE(p.user_id, 0) <> 0");
      } else {
        b.query("SELECT COUNT(*)" + holders(b));
      }
      page.total = total;
    }
    std::vector<User> users;
    {
      rows::UserRow row;
      Binder b(*lease);
      row.bind(b.statement());
      const std::string from = holders(b);
      users = collect(b, row,
                      std::string("SELECT ") + rows::UserRow::kColumns + from + " ORDER BY login" +
                          limit_offset(b, query.page_index, query.page_size));
    }
    if (users.empty()) return page;
    std::map<long long, std::vector<std::string>> held;
    {
      Binder b(*lease);
      long long user = 0;
      std::string permission;
      b.statement().exchange(soci::into(user));
      b.statement().exchange(soci::into(permission));
      std::string ids;
      for (const User& u : users)
        ids += (ids.empty() ? "" : ", ") + b.add(static_cast<long long>(u.id));
      if (b.query("SELECT p.user_id, p.permission FROM permissions p WHERE p.user_id IN (" + ids +
                  ") AND " + grants(b) + " ORDER BY p.permission")) {
        do {
          held[user].push_back(permission);
        } while (b.statement().fetch());
      }
    }
    for (User& u : users) {
      const long long id = u.id;
      page.items.push_back({std::move(u), std::move(held[id])});
    }
    return page;
  });
}

Result<std::vector<AdminHolding>> SociStore::admin_holdings() {
  return guarded([&]() -> Result<std::vector<AdminHolding>> {
    Lease lease(*db_);
    Binder b(*lease);
    long long user = 0, local = 0, group = 0;
    soci::indicator group_ind = soci::i_ok;
    b.statement().exchange(soci::into(user));
    b.statement().exchange(soci::into(local));
    b.statement().exchange(soci::into(group, group_ind));
    std::vector<AdminHolding> out;
    // Direct grants, then memberships of granted groups; active users only.
    if (b.query("SELECT u.id, u.is_local, NULL FROM permissions p JOIN users u ON u.id = "
                "p.user_id WHERE p.project_id IS NULL AND p.permission = 'admin' AND u.active = 1 "
                "UNION ALL SELECT u.id, u.is_local, p.group_id FROM permissions p JOIN "
                "group_members m ON m.group_id = p.group_id JOIN users u ON u.id = m.user_id "
                "WHERE p.project_id IS NULL AND p.permission = 'admin' AND u.active = 1")) {
      do {
        out.push_back({user, local != 0,
                       group_ind == soci::i_null ? std::nullopt : std::optional<GroupId>(group)});
      } while (b.statement().fetch());
    }
    return out;
  });
}

Result<std::vector<PermissionGrant>> SociStore::user_grants(UserId user) {
  return guarded([&]() -> Result<std::vector<PermissionGrant>> {
    Lease lease(*db_);
    rows::GrantRow row;
    Binder b(*lease);
    row.bind(b.statement());
    return collect(b, row,
                   std::string("SELECT ") + rows::GrantRow::kColumns +
                       " FROM permissions WHERE user_id = " + b.add(static_cast<long long>(user)) +
                       " ORDER BY id");
  });
}

// ---- whole state

Result<AuthorizationState> SociStore::load_state() {
  return guarded([&]() -> Result<AuthorizationState> {
    Lease lease(*db_);
    sql::ReadTx read(lease);  // one read transaction, so the parts agree with each other
    AuthorizationState s;
    {
      rows::UserRow row;
      Binder b(*lease);
      row.bind(b.statement());
      s.users = collect(
          b, row, std::string("SELECT ") + rows::UserRow::kColumns + " FROM users ORDER BY id");
    }
    {
      rows::GroupRow row;
      Binder b(*lease);
      row.bind(b.statement());
      s.groups = collect(
          b, row,
          std::string("SELECT ") + rows::GroupRow::kColumns + " FROM user_groups ORDER BY id");
    }
    {
      // Millions on a large instance: allocated once, at their count.
      long long count = 0;
      *lease << "SELECT COUNT(*) FROM group_members", soci::into(count);
      s.memberships.reserve(static_cast<std::size_t>(count));
      // In keyset pages: libpq holds a whole result in memory before the first fetch, which
      // for one SELECT of every membership was 600 MB on world M.
      long long page_size = 100000;
      long long g = 0, u = 0, after_g = -1, after_u = -1;
      soci::statement st = (lease->prepare << "SELECT group_id, user_id FROM group_members "
                                              "WHERE (group_id, user_id) > (:g, :u) "
                                              "ORDER BY group_id, user_id LIMIT :n",
                            soci::into(g), soci::into(u), soci::use(after_g), soci::use(after_u),
                            soci::use(page_size));
      for (;;) {
        long long rows = 0;
        st.execute();
        while (st.fetch()) {
          s.memberships.insert(Membership{g, u});
          ++rows;
        }
        if (rows < page_size) break;
        after_g = g;
        after_u = u;
      }
    }
    {
      rows::ProjectRow row;
      Binder b(*lease);
      row.bind(b.statement());
      s.projects = collect(
          b, row,
          std::string("SELECT ") + rows::ProjectRow::kColumns + " FROM projects ORDER BY id");
    }
    {
      rows::GrantRow row;
      Binder b(*lease);
      row.bind(b.statement());
      s.permissions = collect(
          b, row,
          std::string("SELECT ") + rows::GrantRow::kColumns + " FROM permissions ORDER BY id");
    }
    return s;
  });
}

int latest_schema_version() { return migrations().back().version; }

Result<std::unique_ptr<Store>> open_store(const DatabaseUrl& url,
                                          std::shared_ptr<const SecretBox> secrets,
                                          int connections) {
  try {
    auto db = std::make_unique<sql::Db>(url, std::max(1, connections));
    return std::unique_ptr<Store>(std::make_unique<SociStore>(std::move(db), std::move(secrets)));
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kUnavailable,
                      "Cannot open the database " + url.redacted() + ": " + e.what());
  }
}

}  // namespace provisio::store
