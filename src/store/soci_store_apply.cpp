// The bulk path: a whole ChangeSet in one transaction, in multi-row statements.
#include <algorithm>
#include <unordered_map>

#include "store/bulk.hpp"
#include "store/query.hpp"
#include "store/soci_store.hpp"

namespace provisio::store {

using sql::Binder;
using sql::guarded;
using sql::Lease;
using sql::Tx;

namespace {

constexpr const char* kBig = "BIGINT";
constexpr const char* kText = "TEXT";
long long flag(bool v) { return v ? 1 : 0; }
std::optional<long long> opt(std::optional<std::int64_t> v) {
  return v ? std::optional<long long>(*v) : std::nullopt;
}

// uuid -> id of rows just created, read back in batches.
std::unordered_map<std::string, long long> ids_of(Lease& lease, const std::string& table,
                                                  const std::vector<std::string>& uuids) {
  std::unordered_map<std::string, long long> out;
  out.reserve(uuids.size());
  const std::size_t per = sql::rows_per_statement(lease.dialect(), 1);
  for (std::size_t start = 0; start < uuids.size(); start += per) {
    const std::size_t end = std::min(uuids.size(), start + per);
    Binder b(*lease);
    long long id = 0;
    std::string uuid;
    b.statement().exchange(soci::into(id));
    b.statement().exchange(soci::into(uuid));
    std::string sql = "SELECT id, uuid FROM " + table + " WHERE uuid IN (";
    for (std::size_t i = start; i < end; ++i) sql += (i > start ? ", " : "") + b.value(uuids[i]);
    sql += ")";
    if (b.query(sql)) {
      do {
        out.emplace(uuid, id);
      } while (b.statement().fetch());
    }
  }
  return out;
}

// The ids of `uuids`, in their order; a uuid not found is a broken change set.
std::vector<long long> in_order(const std::unordered_map<std::string, long long>& ids,
                                const std::vector<std::string>& uuids) {
  std::vector<long long> out;
  out.reserve(uuids.size());
  for (const std::string& uuid : uuids) {
    const auto it = ids.find(uuid);
    if (it == ids.end()) throw std::invalid_argument("row " + uuid + " was not created");
    out.push_back(it->second);
  }
  return out;
}

// SQLite's page cache is 2 MB by default. A bulk write of millions of memberships inserts into
// the user_id index at random places, and with that cache nearly every insert writes a page
// out and reads another in: a first sync of world M spent 80% of its apply waiting on the disk.
// Large writes get a larger cache on their connection for their duration (memory comes back
// when the size is set down again).
class BulkCache {
 public:
  BulkCache(Lease& lease, std::size_t rows) : lease_(lease) {
    if (lease.dialect() != sql::Dialect::kSqlite || rows < kLarge) return;
    *lease_ << "PRAGMA cache_size = -65536";  // KiB: 64 MiB
    raised_ = true;
  }
  ~BulkCache() {
    if (!raised_) return;
    try {
      *lease_ << "PRAGMA cache_size = -2000";  // SQLite's default
    } catch (...) {  // NOLINT(bugprone-empty-catch): only memory; the connection still works
    }
  }
  BulkCache(const BulkCache&) = delete;
  BulkCache& operator=(const BulkCache&) = delete;

 private:
  static constexpr std::size_t kLarge = 20000;
  Lease& lease_;
  bool raised_ = false;
};

}  // namespace

bool SociStore::has_active_admin(Lease& lease) {
  long long found = 0;
  *lease << "SELECT COUNT(*) FROM permissions p WHERE p.project_id IS NULL AND p.permission = "
            "'admin' AND (EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id AND u.active = 1) "
            "OR EXISTS (SELECT 1 FROM group_members m JOIN users u ON u.id = m.user_id WHERE "
            "m.group_id = p.group_id AND u.active = 1))",
      soci::into(found);
  return found > 0;
}

long long insert_audit(Lease& lease, const std::vector<AuditEntry>& entries) {
  const long long now = now_ms();
  return batched(lease,
                 "INSERT INTO audit_log (at, actor, action, entity_type, entity, before_value, "
                 "after_value, cause, task_id) VALUES ",
                 "", 9, entries, [&](Binder& b, const AuditEntry& a) {
                   return b.row({a.at != 0 ? a.at : now, a.actor, a.action, a.entity_type, a.entity,
                                 a.before, a.after, a.cause, opt(a.task_id)});
                 });
}

Result<ApplyResult> SociStore::apply(const ChangeSet& c) { return apply_fenced(c, nullptr); }

Result<ApplyResult> SociStore::apply_for_task(const ChangeSet& c, TaskId task,
                                              std::string_view node_id) {
  const TaskFence fence{task, std::string(node_id)};
  return apply_fenced(c, &fence);
}

Result<ApplyResult> SociStore::apply_fenced(const ChangeSet& c, const TaskFence* fence) {
  if (c.empty()) return ApplyResult{};
  return guarded([&]() -> Result<ApplyResult> {
    Lease lease(*db_);
    const BulkCache cache(lease, c.size());
    Tx tx(lease);
    const failpoint::ApplyScope failpoints;  // tests only: where a crash test makes it die
    const long long now = now_ms();
    long long written = 0;
    // Only these changes can take the last administrator away; checked again before the commit.
    const bool may_remove_admin = !c.groups_to_delete.empty() || !c.memberships_to_remove.empty() ||
                                  !c.global_permissions_to_revoke.empty() ||
                                  std::any_of(c.users_to_update.begin(), c.users_to_update.end(),
                                              [](const User& u) { return !u.active; });
    const bool had_admin = may_remove_admin && has_active_admin(lease);

    // 1. Groups first: deletions free names, and renames go through each group's uuid as a
    // temporary name (and no GitLab id) so that groups may swap names and bindings (an adopted
    // group may take the id a former mirror still holds); then the new groups.
    written += batched(lease, "DELETE FROM user_groups WHERE is_default = 0 AND id IN (", ")", 1,
                       c.groups_to_delete, [&](Binder& b, GroupId id) {
                         return b.value({id, kBig});
                       });
    if (!c.groups_to_update.empty()) {
      batched(lease, "UPDATE user_groups SET name = uuid, external_id = NULL WHERE id IN (", ")", 1,
              c.groups_to_update, [&](Binder& b, const Group& g) {
                return b.value({g.id, kBig});
              });
    }
    written += batched(lease,
                       "UPDATE user_groups SET name = v.column2, description = v.column3, "
                       "managed = v.column4, external_id = v.column5 FROM (VALUES ",
                       ") AS v WHERE user_groups.id = v.column1", 5, c.groups_to_update,
                       [&](Binder& b, const Group& g) {
                         return b.row({{g.id, kBig},
                                       {g.name, kText},
                                       {g.description, kText},
                                       {flag(g.managed), kBig},
                                       {g.external_id, kText}});
                       });
    written += batched(
        lease,
        "INSERT INTO user_groups (uuid, name, description, managed, is_default, "
        "external_id) VALUES ",
        "", 5, c.groups_to_create, [&](Binder& b, const Group& g) {
          return b.row({g.uuid, g.name, g.description, flag(g.managed), 0LL, g.external_id});
        });
    written +=
        batched(lease,
                "INSERT INTO users (uuid, login, name, email, active, is_local, managed, "
                "external_provider, external_id, external_login, created_at, updated_at) VALUES ",
                "", 12, c.users_to_create, [&](Binder& b, const User& u) {
                  const long long created = u.created_at != 0 ? u.created_at : now;
                  return b.row({u.uuid, u.login, u.name, u.email, flag(u.active), flag(u.local),
                                flag(u.managed), std::string(to_string(u.external_provider)),
                                u.external_id, u.external_login, created, created});
                });
    std::vector<std::string> uuids;
    for (const Group& g : c.groups_to_create) uuids.push_back(g.uuid);
    const std::vector<long long> group_ids = in_order(ids_of(lease, "user_groups", uuids), uuids);
    uuids.clear();
    for (const User& u : c.users_to_create) uuids.push_back(u.uuid);
    const std::vector<long long> user_ids = in_order(ids_of(lease, "users", uuids), uuids);
    uuids.clear();
    uuids.shrink_to_fit();

    const auto resolve = [](const RowRef& ref, const std::vector<long long>& created,
                            std::string_view what) -> std::int64_t {
      if (!ref.is_created()) return ref.id();
      if (ref.created_index() >= created.size()) {
        throw std::invalid_argument(std::string(what) + " #" + std::to_string(ref.created_index()) +
                                    " is neither stored nor created by this change set");
      }
      return created[ref.created_index()];
    };
    // The audit rows of membership changes: the entity is read from the stored names, so the
    // plan need not hold millions of strings.
    const auto audit_memberships = [&](const MembershipChanges& changes, bool added) {
      const MembershipAudit& a = c.membership_audit;
      const std::string head =
          "INSERT INTO audit_log (at, actor, action, entity_type, entity, before_value, "
          "after_value, cause, task_id) SELECT " +
          std::to_string(a.at != 0 ? a.at : now) + ", v.column4, " +
          (added ? "'membership.add'" : "'membership.remove'") + ", 'membership', " +
          "g.name || '/' || u.login, " + (added ? "NULL, 'member'" : "'member', NULL") +
          ", v.column3, v.column5 FROM (VALUES ";
      return batched(lease, head,
                     ") AS v JOIN user_groups g ON g.id = v.column1 "
                     "JOIN users u ON u.id = v.column2",
                     5, changes, [&](Binder& b, const MembershipChange& m) {
                       const std::optional<std::string> cause =
                           m.cause < c.causes.size() && !c.causes[m.cause].empty()
                               ? std::optional<std::string>(c.causes[m.cause])
                               : std::nullopt;
                       return b.row({{resolve(m.group, group_ids, "group"), kBig},
                                     {resolve(m.user, user_ids, "user"), kBig},
                                     {cause, kText},
                                     {a.actor, kText},
                                     {opt(a.task_id), kBig}});
                     });
    };

    // The same for permission changes: "project/login/permission", and the cause.
    const auto audit_permissions = [&](const std::vector<UserPermissionChange>& changes,
                                       bool granted) {
      const MembershipAudit& a = c.membership_audit;
      const std::string head =
          "INSERT INTO audit_log (at, actor, action, entity_type, entity, before_value, "
          "after_value, cause, task_id) SELECT " +
          std::to_string(a.at != 0 ? a.at : now) + ", v.column5, " +
          (granted ? "'permission.grant'" : "'permission.revoke'") + ", 'permission', " +
          "p.project_key || '/' || u.login || '/' || v.column3, " +
          (granted ? "NULL, v.column3" : "v.column3, NULL") +
          ", v.column4, v.column6 FROM (VALUES ";
      return batched(lease, head,
                     ") AS v JOIN projects p ON p.id = v.column1 "
                     "JOIN users u ON u.id = v.column2",
                     6, changes, [&](Binder& b, const UserPermissionChange& m) {
                       const std::optional<std::string> cause =
                           m.cause < c.causes.size() && !c.causes[m.cause].empty()
                               ? std::optional<std::string>(c.causes[m.cause])
                               : std::nullopt;
                       return b.row({{m.project_id, kBig},
                                     {resolve(m.user, user_ids, "user"), kBig},
                                     {std::string(to_string(m.permission)), kText},
                                     {cause, kText},
                                     {a.actor, kText},
                                     {opt(a.task_id), kBig}});
                     });
    };

    // The same for global permission revocations: "(global)/login/permission".
    const auto audit_global = [&](const std::vector<GlobalPermissionChange>& changes) {
      const MembershipAudit& a = c.membership_audit;
      const std::string head =
          "INSERT INTO audit_log (at, actor, action, entity_type, entity, before_value, "
          "after_value, cause, task_id) SELECT " +
          std::to_string(a.at != 0 ? a.at : now) +
          ", v.column4, 'permission.revoke', 'permission', '(global)/' || u.login || '/' || "
          "v.column2, v.column2, NULL, v.column3, v.column5 FROM (VALUES ";
      return batched(lease, head, ") AS v JOIN users u ON u.id = v.column1", 5, changes,
                     [&](Binder& b, const GlobalPermissionChange& g) {
                       const std::optional<std::string> cause =
                           g.cause < c.causes.size() && !c.causes[g.cause].empty()
                               ? std::optional<std::string>(c.causes[g.cause])
                               : std::nullopt;
                       return b.row({{resolve(g.user, user_ids, "user"), kBig},
                                     {g.permission, kText},
                                     {cause, kText},
                                     {a.actor, kText},
                                     {opt(a.task_id), kBig}});
                     });
    };

    const auto strip_deactivated = [&]() -> long long {
      std::vector<long long> off;
      for (const User& u : c.users_to_update) {
        if (!u.active) off.push_back(u.id);
      }
      if (off.empty()) return 0;
      const MembershipAudit& a = c.membership_audit;
      const std::string at = std::to_string(a.at != 0 ? a.at : now);
      const std::string cause = "'" + std::string(kDeactivatedCause) + "'";  // no quote in it
      // (user id, actor, task) per row, joined to what the user still holds.
      const auto who = [&](Binder& b, long long id) {
        return b.row({{id, kBig}, {a.actor, kText}, {opt(a.task_id), kBig}});
      };
      const auto in = [&](Binder& b, long long id) { return b.value({id, kBig}); };
      const std::string head =
          "INSERT INTO audit_log (at, actor, action, entity_type, entity, before_value, "
          "after_value, cause, task_id) SELECT " +
          at + ", v.column2, ";
      long long n = 0;
      batched(lease,
              head +
                  "'membership.remove', 'membership', g.name || '/' || u.login, 'member', NULL, " +
                  cause + ", v.column3 FROM (VALUES ",
              ") AS v JOIN group_members m ON m.user_id = v.column1 JOIN user_groups g ON g.id = "
              "m.group_id JOIN users u ON u.id = m.user_id",
              3, off, who);
      n += batched(lease, "DELETE FROM group_members WHERE user_id IN (", ")", 1, off, in);
      batched(lease,
              head +
                  "'permission.revoke', 'permission', COALESCE(p.project_key, '(global)') || '/' "
                  "|| u.login || '/' || x.permission, x.permission, NULL, " +
                  cause + ", v.column3 FROM (VALUES ",
              ") AS v JOIN permissions x ON x.user_id = v.column1 JOIN users u ON u.id = "
              "x.user_id LEFT JOIN projects p ON p.id = x.project_id",
              3, off, who);
      n += batched(lease, "DELETE FROM permissions WHERE user_id IN (", ")", 1, off, in);
      return n;
    };

    // Every active user belongs to the default group.
    long long default_group = 0;
    *lease << "SELECT id FROM user_groups WHERE is_default = 1", soci::into(default_group);
    std::vector<long long> new_active;
    for (std::size_t i = 0; i < c.users_to_create.size(); ++i) {
      if (c.users_to_create[i].active) new_active.push_back(user_ids[i]);
    }
    written += batched(lease, "INSERT INTO group_members (group_id, user_id) VALUES ",
                       " ON CONFLICT DO NOTHING", 2, new_active, [&](Binder& b, long long id) {
                         return b.row({default_group, id});
                       });

    // 2. Updates of existing users.
    written += batched(lease,
                       "UPDATE users SET name = v.column2, email = v.column3, active = v.column4, "
                       "managed = v.column5, external_login = v.column6, updated_at = v.column7 "
                       "FROM (VALUES ",
                       ") AS v WHERE users.id = v.column1", 7, c.users_to_update,
                       [&](Binder& b, const User& u) {
                         return b.row({{u.id, kBig},
                                       {u.name, kText},
                                       {u.email, kText},
                                       {flag(u.active), kBig},
                                       {flag(u.managed), kBig},
                                       {u.external_login, kText},
                                       {now, kBig}});
                       });

    // A deactivated user loses every way back in at once (behaviour.md §3).
    for (const User& u : c.users_to_update) {
      if (!u.active) drop_credentials(lease, u.id);
    }

    // 3. Removals, before additions, so a rename that frees a name can be followed by a create.
    audit_memberships(c.memberships_to_remove, false);
    written += batched(lease, "DELETE FROM group_members WHERE (group_id, user_id) IN (VALUES ",
                       ")", 2, c.memberships_to_remove, [&](Binder& b, const MembershipChange& m) {
                         return b.row({{resolve(m.group, group_ids, "group"), kBig},
                                       {resolve(m.user, user_ids, "user"), kBig}});
                       });
    audit_permissions(c.permissions_to_revoke, false);
    written +=
        batched(lease,
                "DELETE FROM permissions WHERE (project_id, user_id, permission) IN "
                "(VALUES ",
                ")", 3, c.permissions_to_revoke, [&](Binder& b, const UserPermissionChange& p) {
                  return b.row({{p.project_id, kBig},
                                {resolve(p.user, user_ids, "user"), kBig},
                                {std::string(to_string(p.permission)), kText}});
                });

    audit_global(c.global_permissions_to_revoke);
    written += batched(
        lease,
        "DELETE FROM permissions WHERE project_id IS NULL AND group_id IS NULL AND "
        "(user_id, permission) IN (VALUES ",
        ")", 2, c.global_permissions_to_revoke, [&](Binder& b, const GlobalPermissionChange& p) {
          return b.row({{resolve(p.user, user_ids, "user"), kBig}, {p.permission, kText}});
        });
    // A deactivated user holds nothing: what the set did not remove (a partial sync sees only
    // part of the user's rows) goes now, with its audit rows.
    written += strip_deactivated();

    // 4. Additions.
    written += batched(
        lease, "INSERT INTO group_members (group_id, user_id) VALUES ", " ON CONFLICT DO NOTHING",
        2, c.memberships_to_add, [&](Binder& b, const MembershipChange& m) {
          return b.row({resolve(m.group, group_ids, "group"), resolve(m.user, user_ids, "user")});
        });
    written += batched(lease, "INSERT INTO permissions (project_id, user_id, permission) VALUES ",
                       " ON CONFLICT DO NOTHING", 3, c.permissions_to_grant,
                       [&](Binder& b, const UserPermissionChange& p) {
                         return b.row({p.project_id, resolve(p.user, user_ids, "user"),
                                       std::string(to_string(p.permission))});
                       });
    written += batched(
        lease, "UPDATE projects SET visibility = v.column2 FROM (VALUES ",
        ") AS v WHERE projects.id = v.column1", 2, c.visibilities,
        [&](Binder& b, const VisibilityChange& v) {
          return b.row({{v.project_id, kBig}, {std::string(to_string(v.visibility)), kText}});
        });
    audit_memberships(c.memberships_to_add, true);
    audit_permissions(c.permissions_to_grant, true);
    written += insert_audit(lease, c.audit);
    if (had_admin && !has_active_admin(lease)) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "These changes would leave no active user holding the global permission "
                        "Administer System, so none were written. Give that permission to a user "
                        "who stays (the built-in admin, for instance) or to a group with such a "
                        "member, then try again.");
    }
    if (fence != nullptr) {
      // Under the lock every claim takes: no other node can take the task over between this
      // check and the commit. (SQLite: this transaction already holds the only write lock.)
      lock_queue(lease);
      long long held = 0;
      const long long id = fence->task;
      *lease << "SELECT COUNT(*) FROM tasks WHERE id = :id AND node_id = :node AND "
                "status = 'IN_PROGRESS'",
          soci::use(id), soci::use(fence->node_id), soci::into(held);
      if (held == 0) {
        return make_error(ErrorCode::kAborted,
                          "Task " + std::to_string(fence->task) +
                              " is no longer held by this node: another node took it over while "
                              "this one computed or wrote its changes, so none were written.");
      }
    }
    tx.commit();
    failpoint::committed();
    return ApplyResult{written};
  });
}

}  // namespace provisio::store
