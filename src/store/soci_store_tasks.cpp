// The task queue (claims, leases, outcomes) and the audit log.
#include <algorithm>

#include "store/bulk.hpp"
#include "store/change_set_json.hpp"
#include "store/process_identity.hpp"
#include "store/query.hpp"
#include "store/rows.hpp"
#include "store/soci_store.hpp"
#include "store/uuid.hpp"

namespace provisio::store {

using sql::Binder;
using sql::guarded;
using sql::Lease;
using sql::Tx;

namespace {

// Sets `assignments` on a task this node runs and holds the lease of; kAborted when another
// node took it over.
Status update_held_task(Binder& b, const std::string& assignments, TaskId id,
                        std::string_view node_id) {
  const long long changed = b.execute(
      "UPDATE tasks SET " + assignments + " WHERE id = " + b.add(static_cast<long long>(id)) +
      " AND node_id = " + b.add(std::string(node_id)) + " AND status = 'IN_PROGRESS'");
  if (changed == 0) {
    return make_error(ErrorCode::kAborted, "Task " + std::to_string(id) +
                                               " is no longer held by this node (lease lost).");
  }
  return {};
}

Result<Task> read_task(Lease& lease, long long id) {
  rows::TaskRow row;
  Binder b(*lease);
  row.bind(b.statement());
  auto found = collect(
      b, row,
      std::string("SELECT ") + rows::TaskRow::kColumns + " FROM tasks WHERE id = " + b.add(id));
  if (found.empty()) {
    return make_error(ErrorCode::kNotFound, "Task " + std::to_string(id) + " not found.");
  }
  return found.front();
}

// Inserts `task` as pending, inside the caller's transaction; returns it with its id.
Task insert_task(Lease& lease, const Task& task) {
  const std::string type(to_string(task.type));
  Task t = task;
  if (t.uuid.empty()) t.uuid = new_uuid();
  if (t.submitted_at == 0) t.submitted_at = now_ms();
  t.status = TaskStatus::kPending;
  Binder b(*lease);
  b.execute(
      "INSERT INTO tasks (uuid, task_type, status, project_id, submitter, submitted_at, "
      "info_messages, warnings, counts, held, scope) VALUES (" +
      b.add(t.uuid) + ", " + b.add(type) + ", 'PENDING', " +
      b.add(std::optional<long long>(t.project_id)) + ", " + b.add(t.submitter) + ", " +
      b.add(static_cast<long long>(t.submitted_at)) + ", '[]', '[]', '{}', 0, " +
      b.add(t.scope ? std::optional<std::string>(rows::encode_scope(*t.scope))
                    : std::optional<std::string>()) +
      ")");
  long long id = 0;
  *lease << "SELECT id FROM tasks WHERE uuid = :u", soci::use(t.uuid), soci::into(id);
  t.id = id;
  return t;
}

}  // namespace

Result<Task> SociStore::enqueue_task(const Task& task, bool only_if_idle) {
  return guarded([&]() -> Result<Task> {
    Lease lease(*db_);
    Tx tx(lease);
    lock_queue(lease);
    const std::string type(to_string(task.type));
    if (only_if_idle) {
      long long busy = 0;
      *lease << "SELECT id FROM tasks WHERE task_type = :t AND status IN ('PENDING', "
                "'IN_PROGRESS') ORDER BY id LIMIT 1",
          soci::use(type), soci::into(busy);
      if (lease->got_data()) {
        return make_error(
            ErrorCode::kAlreadyExists,
            "A synchronization is already pending or running (task " + std::to_string(busy) + ").");
      }
    }
    Task t = insert_task(lease, task);
    tx.commit();
    return t;
  });
}

Result<Task> SociStore::queue_event_scope(const SyncScope& scope, const std::string& submitter,
                                          Millis now, std::size_t max_ids) {
  const std::string type(to_string(TaskType::kGitlabEventProvisioning));
  const std::string full_type(to_string(TaskType::kGitlabAuthProvisioning));
  return guarded([&]() -> Result<Task> {
    Lease lease(*db_);
    Tx tx(lease);
    lock_queue(lease);  // a claim cannot start the task between the read and the write
    // A full sync still pending reads GitLab after this event: it covers it.
    long long full = 0;
    *lease << "SELECT id FROM tasks WHERE task_type = :t AND status = 'PENDING' ORDER BY id "
              "LIMIT 1",
        soci::use(full_type), soci::into(full);
    if (lease->got_data()) {
      auto task = read_task(lease, full);
      if (!task) return tl::unexpected(task.error());
      tx.commit();
      return *task;
    }
    long long id = 0;
    std::string text;
    soci::indicator ind = soci::i_ok;
    *lease << "SELECT id, scope FROM tasks WHERE task_type = :t AND status = 'PENDING' "
              "ORDER BY id LIMIT 1",
        soci::use(type), soci::into(id), soci::into(text, ind);
    const bool pending = lease->got_data();
    SyncScope all =
        pending && ind == soci::i_ok ? rows::decode_scope(text).value_or(SyncScope{}) : SyncScope{};
    all.merge(scope);
    if (all.size() > max_ids) {
      // A flood of events (or one naming more than the bound): one full sync instead of an
      // ever-growing scope kept in a row and re-read from GitLab piece by piece.
      if (pending) {
        const std::string why =
            "Replaced by a full synchronization: GitLab events named more than " +
            std::to_string(max_ids) + " groups, projects, users and members before it started.";
        Binder b(*lease);
        b.execute("UPDATE tasks SET status = 'CANCELED', finished_at = " +
                  b.add(static_cast<long long>(now)) + ", info_messages = " +
                  b.add(rows::encode_strings({why})) + " WHERE id = " + b.add(id));
      }
      Task t;
      t.type = TaskType::kGitlabAuthProvisioning;
      t.submitter = submitter;
      t.submitted_at = now;
      t = insert_task(lease, t);
      tx.commit();
      return t;
    }
    if (!pending) {
      // None pending: a new one, in the same transaction, so two nodes receiving events at
      // the same instant queue one task between them.
      Task t;
      t.type = TaskType::kGitlabEventProvisioning;
      t.submitter = submitter;
      t.submitted_at = now;
      t.scope = scope;
      t = insert_task(lease, t);
      tx.commit();
      return t;
    }
    const std::string encoded = rows::encode_scope(all);
    *lease << "UPDATE tasks SET scope = :s WHERE id = :id", soci::use(encoded), soci::use(id);
    auto task = read_task(lease, id);
    if (!task) return tl::unexpected(task.error());
    tx.commit();
    return *task;
  });
}

Result<std::optional<Task>> SociStore::claim_task(std::string_view node_id, Millis now,
                                                  Millis lease_ms) {
  return guarded([&]() -> Result<std::optional<Task>> {
    Lease lease(*db_);
    Tx tx(lease);
    lock_queue(lease);
    long long at = now;
    // A live lease keeps the task from every other node, unless its holder ran on this machine
    // and is gone (process_identity.hpp): then this node need not wait for the lease to run out.
    std::vector<long long> gone;
    {
      long long id = 0;
      std::string process;
      soci::indicator ind = soci::i_null;
      soci::statement live = (lease->prepare << "SELECT id, node_process FROM tasks WHERE status = "
                                                "'IN_PROGRESS' AND lease_until >= :now",
                              soci::use(at), soci::into(id), soci::into(process, ind));
      live.execute();
      while (live.fetch()) {
        if (ind != soci::i_ok || !process_is_gone(process)) return std::optional<Task>();
        gone.push_back(id);
      }
    }
    long long id = 0;
    {
      Binder b(*lease);
      b.statement().exchange(soci::into(id));
      std::string pick =
          "SELECT id FROM tasks WHERE status = 'PENDING' OR (status = 'IN_PROGRESS' AND "
          "lease_until < " +
          b.add(at) + ")";
      for (const long long g : gone) pick += " OR id = " + b.add(g);
      pick += " ORDER BY submitted_at, id LIMIT 1";
      if (lease.dialect() == sql::Dialect::kPostgresql) pick += " FOR UPDATE SKIP LOCKED";
      if (!b.query(pick)) return std::optional<Task>();
    }
    auto picked = read_task(lease, id);
    if (!picked) return tl::unexpected(picked.error());
    if (picked->status == TaskStatus::kInProgress) {
      // Its node died (or lost the database) while running it: nothing of the run can be trusted
      // to go on, but its writes were one transaction, all or nothing. The run ends here as
      // FAILED, and the same work is queued again as a new task, which this node runs now.
      Task again;
      again.type = picked->type;
      again.project_id = picked->project_id;
      again.submitter = picked->submitter;
      again.scope = picked->scope;  // an event sync re-reads what it was asked to
      again.submitted_at = now;
      const Task rerun = insert_task(lease, again);
      const bool on_this_machine = std::find(gone.begin(), gone.end(), id) != gone.end();
      const std::string holder = picked->node_id.value_or("unknown");
      Binder b(*lease);
      b.execute("UPDATE tasks SET status = 'FAILED', finished_at = " + b.add(at) +
                ", lease_until = NULL, progress = NULL, error_message = " +
                b.add(std::string("Interrupted: ") +
                      (on_this_machine ? "the process running this task (" + holder +
                                             ") on this machine is gone (it was killed or "
                                             "crashed)."
                                       : "the node running this task (" + holder +
                                             ") stopped renewing its lease.") +
                      " Its changes are written in one transaction, so all of them or none were "
                      "written. Task " +
                      std::to_string(rerun.id) + " runs it again.") +
                " WHERE id = " + b.add(id));
      id = rerun.id;
    }
    const std::string node(node_id);
    std::string process = this_process();
    soci::indicator process_ind = process.empty() ? soci::i_null : soci::i_ok;
    long long until = now + lease_ms;
    *lease << "UPDATE tasks SET status = 'IN_PROGRESS', node_id = :n, node_process = :p, "
              "lease_until = :u, started_at = :now, finished_at = NULL, progress = NULL "
              "WHERE id = :id",
        soci::use(node), soci::use(process, process_ind), soci::use(until), soci::use(at),
        soci::use(id);
    auto task = read_task(lease, id);
    if (!task) return tl::unexpected(task.error());
    tx.commit();
    return std::optional<Task>(*task);
  });
}

Result<Task> SociStore::start_task(const Task& task, TaskId none_since, std::string_view node_id,
                                   Millis now, Millis lease_ms) {
  return guarded([&]() -> Result<Task> {
    Lease lease(*db_);
    Tx tx(lease);
    lock_queue(lease);  // no claim, queueing or other start between the checks and the write
    long long busy = 0;
    std::string busy_status;
    *lease << "SELECT id, status FROM tasks WHERE status IN ('PENDING', 'IN_PROGRESS') "
              "ORDER BY id LIMIT 1",
        soci::into(busy), soci::into(busy_status);
    if (lease->got_data()) {
      return make_error(ErrorCode::kAlreadyExists,
                        "Task " + std::to_string(busy) +
                            (busy_status == "PENDING" ? " is pending" : " is running") + ".");
    }
    long long since = none_since;
    long long ran = 0;
    *lease << "SELECT id FROM tasks WHERE id > :since AND status IN ('SUCCESS', 'FAILED') "
              "ORDER BY id LIMIT 1",
        soci::use(since), soci::into(ran);
    if (lease->got_data()) {
      return make_error(ErrorCode::kFailedPrecondition, "Task " + std::to_string(ran) +
                                                            " has run since task " +
                                                            std::to_string(none_since) + ".");
    }
    const Task inserted = insert_task(lease, task);
    const std::string node(node_id);
    long long at = now;
    long long until = now + lease_ms;
    long long id = inserted.id;
    *lease << "UPDATE tasks SET status = 'IN_PROGRESS', node_id = :n, lease_until = :u, "
              "started_at = :now WHERE id = :id",
        soci::use(node), soci::use(until), soci::use(at), soci::use(id);
    auto started = read_task(lease, id);
    if (!started) return tl::unexpected(started.error());
    tx.commit();
    return *started;
  });
}

Status SociStore::heartbeat_task(TaskId id, std::string_view node_id, Millis now, Millis lease_ms) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    return update_held_task(b, "lease_until = " + b.add(static_cast<long long>(now) + lease_ms), id,
                            node_id);
  });
}

Status SociStore::set_task_progress(TaskId id, std::string_view node_id,
                                    const TaskProgress& progress) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    return update_held_task(b, "progress = " + b.add(rows::encode_progress(progress)), id, node_id);
  });
}

Status SociStore::finish_task(TaskId id, std::string_view node_id, Millis now,
                              const TaskOutcome& outcome) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Binder b(*lease);
    const auto total = [&](std::int64_t SyncTotals::*field) -> std::optional<long long> {
      if (!outcome.counts.totals) return std::nullopt;
      return static_cast<long long>((*outcome.counts.totals).*field);
    };
    const long long changed =
        b.execute("UPDATE tasks SET status = " + b.add(std::string(to_string(outcome.status))) +
                  ", finished_at = " + b.add(static_cast<long long>(now)) +
                  ", lease_until = NULL, progress = NULL, info_messages = " +
                  b.add(rows::encode_strings(outcome.info_messages)) +
                  ", warnings = " + b.add(rows::encode_strings(outcome.warnings)) +
                  ", error_message = " + b.add(outcome.error_message) +
                  ", counts = " + b.add(rows::encode_counts(outcome.counts)) +
                  ", held = " + b.add(static_cast<long long>(outcome.held)) +
                  ", users_total = " + b.add(total(&SyncTotals::users)) +
                  ", groups_total = " + b.add(total(&SyncTotals::groups)) +
                  ", projects_total = " + b.add(total(&SyncTotals::projects)) +
                  " WHERE id = " + b.add(static_cast<long long>(id)) +
                  " AND node_id = " + b.add(std::string(node_id)) + " AND status = 'IN_PROGRESS'");
    if (changed == 0) {
      return make_error(ErrorCode::kAborted, "Task " + std::to_string(id) +
                                                 " is no longer held by this node (lease lost).");
    }
    return {};
  });
}

Result<Task> SociStore::get_task(TaskId id) {
  return guarded([&]() -> Result<Task> {
    Lease lease(*db_);
    return read_task(lease, id);
  });
}

Result<Page<Task>> SociStore::list_tasks(const TaskQuery& query) {
  return guarded([&]() -> Result<Page<Task>> {
    Lease lease(*db_);
    const auto where = [&](Binder& b) {
      std::string w = " WHERE 1 = 1";
      if (query.type) w += " AND task_type = " + b.add(std::string(to_string(*query.type)));
      if (!query.statuses.empty()) {
        w += " AND status IN (";
        for (std::size_t i = 0; i < query.statuses.size(); ++i) {
          w += (i ? ", " : "") + b.add(std::string(to_string(query.statuses[i])));
        }
        w += ")";
      }
      return w;
    };
    Page<Task> page;
    {
      Binder b(*lease);
      long long total = 0;
      b.statement().exchange(soci::into(total));
      b.query("SELECT COUNT(*) FROM tasks" + where(b));
      page.total = total;
    }
    rows::TaskRow row;
    Binder b(*lease);
    row.bind(b.statement());
    const std::string w = where(b);
    page.items = collect(b, row,
                         std::string("SELECT ") + rows::TaskRow::kColumns + " FROM tasks" + w +
                             " ORDER BY submitted_at DESC, id DESC" +
                             limit_offset(b, query.page_index, query.page_size));
    return page;
  });
}

Result<std::vector<Task>> SociStore::syncs_between(TaskId after, TaskId upto) {
  return guarded([&]() -> Result<std::vector<Task>> {
    Lease lease(*db_);
    rows::TaskRow row;
    Binder b(*lease);
    row.bind(b.statement());
    return collect(b, row,
                   std::string("SELECT ") + rows::TaskRow::kColumns + " FROM tasks WHERE id > " +
                       b.add(static_cast<long long>(after)) +
                       " AND id <= " + b.add(static_cast<long long>(upto)) + " ORDER BY id");
  });
}

Status SociStore::append_audit(const std::vector<AuditEntry>& entries) {
  return guarded([&]() -> Status {
    Lease lease(*db_);
    Tx tx(lease);
    insert_audit(lease, entries);
    tx.commit();
    return {};
  });
}

namespace {

// Characters of a UTF-8 text, as both databases' length() counts them.
long long char_count(const std::string& s) {
  long long n = 0;
  for (const unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// `entity` ends with `tail`, compared exactly (LIKE would treat '_' and '%' in logins as
// wildcards, and ignores case on SQLite). The length is bound as a number: PostgreSQL cannot
// choose among length()'s overloads for an untyped parameter.
std::string ends_with(Binder& b, const std::string& tail) {
  const std::string n = b.add(char_count(tail));
  return "(length(entity) >= " + n + " AND substr(entity, length(entity) - " + n +
         " + 1) = " + b.add(tail) + ")";
}

// The audit rows about one user: the user row, its memberships and its permissions.
std::string about_user(Binder& b, const std::string& login) {
  std::string w = "((entity_type = 'user' AND entity = " + b.add(login) + ")";
  w += " OR (entity_type = 'membership' AND " + ends_with(b, "/" + login) + ")";
  w += " OR (entity_type = 'permission' AND (";
  bool first = true;
  const auto add = [&](std::string_view permission) {
    w += (first ? "" : " OR ") + ends_with(b, "/" + login + "/" + std::string(permission));
    first = false;
  };
  for (const ProjectPermission p : kAllProjectPermissions) add(to_string(p));
  for (const GlobalPermission p : kAllGlobalPermissions) {
    // "admin" and "scan" are both global and project keys: once is enough.
    if (!parse_project_permission(to_string(p))) add(to_string(p));
  }
  return w + ")))";
}

}  // namespace

Result<Page<AuditEntry>> SociStore::list_audit(const AuditQuery& query) {
  return guarded([&]() -> Result<Page<AuditEntry>> {
    Lease lease(*db_);
    const auto where = [&](Binder& b) {
      std::string w = " WHERE 1 = 1";
      if (query.entity_type) w += " AND entity_type = " + b.add(*query.entity_type);
      if (query.entity) w += " AND entity = " + b.add(*query.entity);
      if (query.actor) w += " AND actor = " + b.add(*query.actor);
      if (query.user) w += " AND " + about_user(b, *query.user);
      if (query.task_id) w += " AND task_id = " + b.add(static_cast<long long>(*query.task_id));
      if (query.since) w += " AND at >= " + b.add(static_cast<long long>(*query.since));
      if (query.until) w += " AND at < " + b.add(static_cast<long long>(*query.until));
      return w;
    };
    Page<AuditEntry> page;
    {
      Binder b(*lease);
      long long total = 0;
      b.statement().exchange(soci::into(total));
      b.query("SELECT COUNT(*) FROM audit_log" + where(b));
      page.total = total;
    }
    rows::AuditRow row;
    Binder b(*lease);
    row.bind(b.statement());
    const std::string w = where(b);
    page.items =
        collect(b, row,
                std::string("SELECT ") + rows::AuditRow::kColumns + " FROM audit_log" + w +
                    " ORDER BY id DESC" + limit_offset(b, query.page_index, query.page_size));
    return page;
  });
}

}  // namespace provisio::store

namespace provisio::store {

Status SociStore::save_held_plan(TaskId task, const ChangeSet& plan) {
  return sql::guarded([&]() -> Status {
    sql::Lease lease(*db_);
    sql::Binder b(*lease);
    b.execute("INSERT INTO held_plans (task_id, plan, created_at) VALUES (" +
              b.add(static_cast<long long>(task)) + ", " + b.add(encode_change_set(plan)) + ", " +
              b.add(now_ms()) + ")");
    return {};
  });
}

Result<ChangeSet> SociStore::load_held_plan(TaskId task) {
  return sql::guarded([&]() -> Result<ChangeSet> {
    sql::Lease lease(*db_);
    std::string text;
    long long id = task;
    *lease << "SELECT plan FROM held_plans WHERE task_id = :t", soci::use(id), soci::into(text);
    if (!lease->got_data()) {
      return make_error(ErrorCode::kNotFound,
                        "Task " + std::to_string(task) + " has no plan held back by the guard.");
    }
    return decode_change_set(text);
  });
}

Status SociStore::delete_held_plan(TaskId task) {
  return sql::guarded([&]() -> Status {
    sql::Lease lease(*db_);
    long long id = task;
    *lease << "DELETE FROM held_plans WHERE task_id = :t", soci::use(id);
    return {};
  });
}

}  // namespace provisio::store
