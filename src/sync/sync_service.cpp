#include "sync/sync_service.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/desired_state.hpp"
#include "core/partial_plan.hpp"
#include "gitlab/client.hpp"
#include "sync/member_list_cache.hpp"
#include "sync/provisioning_client.hpp"
#include "sync/scoped_reader.hpp"
#include "sync/snapshot_reader.hpp"

namespace provisio::sync {
namespace {

// Renews the task's lease while a sync runs, so another node does not take it over.
class Heartbeat {
 public:
  Heartbeat(store::Store& store, const Clock& clock, const Task& task, const SyncOptions& o)
      : thread_([this, &store, &clock, id = task.id, o] {
          std::unique_lock lock(mutex_);
          while (!cv_.wait_for(lock, std::chrono::milliseconds(o.heartbeat_ms),
                               [this] { return stopped_; })) {
            if (!store.heartbeat_task(id, o.node_id, clock.now(), o.lease_ms)) lost_ = true;
          }
        }) {}
  ~Heartbeat() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool lost() const { return lost_; }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::atomic<bool> lost_{false};
  std::thread thread_;
};

// Resident memory now, in MB, for the phase log: where a sync's memory goes (Linux; 0 elsewhere).
long resident_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * sysconf(_SC_PAGESIZE) / (1024L * 1024);
}

void report(metrics::Registry* metrics, const Task& task, const store::TaskOutcome& outcome,
            Millis duration_ms) {
  if (metrics == nullptr) return;
  const char* result = outcome.held                             ? "held"
                       : outcome.status == TaskStatus::kSuccess ? "success"
                                                                : "failed";
  metrics->sync_finished(to_string(task.type), result, static_cast<double>(duration_ms) / 1000.0);
}

// The GitLab client a sync reads with: the provisioning token's, over a fresh transport, its
// requests counted on the run's progress when there is one.
struct ProvisioningReader {
  ProvisioningReader(std::unique_ptr<gitlab::HttpTransport> t, SyncProgress* progress,
                     gitlab::ClientOptions options)
      : transport(std::move(t)),
        counting(progress != nullptr ? std::make_optional<CountingTransport>(*transport, *progress)
                                     : std::nullopt),
        client(std::move(options),
               counting ? static_cast<gitlab::HttpTransport&>(*counting) : *transport, jitter) {}
  std::unique_ptr<gitlab::HttpTransport> transport;
  std::optional<CountingTransport> counting;
  SeededRandom jitter;
  gitlab::Client client;
};

void add(std::vector<std::string>& out, std::int64_t n, const std::string& what) {
  if (n > 0) out.push_back(std::to_string(n) + " " + what);
}

// Keeps only the changes of one project's permissions and visibility, for users that exist.
Plan restrict_to_project(Plan p, std::int64_t project_id, const std::string& project_key) {
  Plan out;
  out.warnings = std::move(p.warnings);
  for (const auto& g : p.changes.permissions_to_grant) {
    if (g.project_id == project_id && !g.user.is_created())
      out.changes.permissions_to_grant.push_back(g);
  }
  for (const auto& r : p.changes.permissions_to_revoke) {
    if (r.project_id == project_id) out.changes.permissions_to_revoke.push_back(r);
  }
  for (const auto& v : p.changes.visibilities) {
    if (v.project_id == project_id) out.changes.visibilities.push_back(v);
  }
  for (const auto& a : p.changes.audit) {
    if (a.entity_type == "project" && a.entity == project_key) out.changes.audit.push_back(a);
  }
  // The permission changes' audit rows are written by apply() from these.
  out.changes.causes = std::move(p.changes.causes);
  out.changes.membership_audit = std::move(p.changes.membership_audit);
  out.counts.permissions_granted =
      static_cast<std::int64_t>(out.changes.permissions_to_grant.size());
  out.counts.permissions_revoked =
      static_cast<std::int64_t>(out.changes.permissions_to_revoke.size());
  out.counts.visibilities_changed = static_cast<std::int64_t>(out.changes.visibilities.size());
  out.counts.projects_synced = out.changes.empty() ? 0 : 1;
  return out;
}

}  // namespace

std::vector<std::string> summarize(const SyncCounts& c) {
  std::vector<std::string> out;
  add(out, c.users_created, "users created");
  add(out, c.users_updated, "users updated");
  add(out, c.users_reactivated, "users reactivated");
  add(out, c.users_deactivated, "users deactivated");
  add(out, c.groups_created, "groups created");
  add(out, c.groups_renamed, "groups renamed");
  add(out, c.groups_adopted, "groups adopted");
  add(out, c.groups_deleted, "groups deleted");
  add(out, c.memberships_added, "memberships added");
  add(out, c.memberships_removed, "memberships removed");
  add(out, c.projects_synced, "projects synchronized");
  add(out, c.permissions_granted, "permissions granted");
  add(out, c.permissions_revoked, "permissions revoked");
  add(out, c.visibilities_changed, "visibilities changed");
  if (out.empty()) out.push_back("Nothing to change");
  if (c.totals) {
    // The seed's statistics first: how much the run covered, changed or not.
    const auto plural = [](std::int64_t n, const char* one, const char* many) {
      return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    out.insert(out.begin(), plural(c.totals->users, "user", "users") + " and " +
                                plural(c.totals->groups, "group", "groups") +
                                " synchronized from GitLab; user permissions synchronized on " +
                                plural(c.totals->projects, "project", "projects"));
  }
  out.push_back(std::to_string(c.gitlab_requests) + " GitLab requests in " +
                std::to_string(c.duration_ms) + " ms");
  return out;
}

SyncService::SyncService(store::Store& store, TransportFactory transports, const Clock& clock,
                         SyncOptions options)
    : store_(store),
      transports_(std::move(transports)),
      clock_(clock),
      options_(std::move(options)),
      member_lists_(std::make_unique<MemberListCache>(options_.member_cache_members)) {}

SyncService::~SyncService() = default;

Result<GitlabConfig> SyncService::automatic_config() {
  auto config = store_.load_gitlab_config();
  if (!config) return tl::unexpected(config.error());
  if (!*config || !(*config)->enabled ||
      (*config)->provisioning_type != ProvisioningType::kAutoProvisioning) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "Automatic provisioning is not enabled: there is nothing to synchronize.");
  }
  if (!(*config)->provisioning_token || (*config)->allowed_groups.empty()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "Automatic provisioning needs a provisioning token and allowed groups.");
  }
  return **config;
}

Result<SyncService::Computed> SyncService::compute(std::optional<std::int64_t> only_project,
                                                   SyncProgress* progress) {
  auto config = automatic_config();
  if (!config) return tl::unexpected(config.error());
  const GitlabConfig& c = *config;
  // Wall time of each phase, for the log (bench/sync reads it).
  std::string phases;
  auto mark = std::chrono::steady_clock::now();
  const auto phase = [&](const char* name) {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - mark).count();
    mark = now;
    char text[96];
    std::snprintf(text, sizeof text, "%s%s %.2f s (%ld MB)", phases.empty() ? "" : ", ", name, s,
                  resident_mb());
    phases += text;
  };
  ProvisioningReader reader(transports_(), progress,
                            provisioning_client_options(c, options_.engine));
  gitlab::Client& client = reader.client;
  auto snapshot = read_snapshot(client, {c.allowed_groups.begin(), c.allowed_groups.end()},
                                date_of(clock_.now()), progress, options_.members_api);
  const std::int64_t requests = client.counters().total_requests();
  if (!snapshot) {
    Error e = snapshot.error();
    e.message += " (" + std::to_string(requests) + " GitLab requests made; nothing was changed)";
    return tl::unexpected(e);
  }
  phase("snapshot");
  {
    // Requests by endpoint, for operators comparing runs (bench/sync prints it).
    std::string by_endpoint;
    for (const auto& [endpoint, statuses] : client.counters().requests) {
      std::int64_t n = 0;
      for (const auto& [status, count] : statuses) n += count;
      by_endpoint += (by_endpoint.empty() ? "" : ", ") + endpoint + " " + std::to_string(n);
    }
    spdlog::info("GitLab requests by endpoint: {}; retries {}; {} bytes read", by_endpoint,
                 client.counters().retries, client.counters().bytes);
    spdlog::info("Group shares: {}", snapshot->shares_read_by);
    spdlog::info("Member lists: {}", snapshot->members_read_by);
  }
#ifdef __GLIBC__
  // Reading the snapshot parses tens of thousands of pages on 16 threads; their buffers are
  // freed by now, but glibc keeps the pages in its per-thread arenas, where the large blocks of
  // the next phases (allocated apart, with mmap) never reuse them. Give them back.
  malloc_trim(0);
#endif
  if (progress != nullptr) progress->set_phase("computing the changes");
  auto state = store_.load_state();
  if (!state) return tl::unexpected(state.error());
  phase("load");
  auto mappings = store_.role_mappings();
  if (!mappings) return tl::unexpected(mappings.error());
  std::set<gl::Id> bound;
  std::string project_key;
  for (const Project& p : state->projects) {
    if (p.gitlab_project_id) bound.insert(*p.gitlab_project_id);
    if (only_project && p.id == *only_project) project_key = p.key;
  }
  const DesiredState desired = desired_state(*snapshot, bound, *mappings, options_.rules);
  phase("resolve");
  SeededRandom random;
  Plan plan = make_plan(*snapshot, desired, *state, options_.guard, clock_.now(), random);
  if (only_project) plan = restrict_to_project(std::move(plan), *only_project, project_key);
  plan.counts.gitlab_requests = requests;
  phase("plan");
  return Computed{std::move(plan), requests, std::move(phases), share_links(*snapshot)};
}

Status SyncService::catch_up_member_lists(TaskId task) {
  const TaskId seen = member_lists_->seen_up_to();
  if (member_lists_->lists() == 0 || seen == 0 || task <= seen) {
    member_lists_->set_seen_up_to(std::max(seen, task));
    return {};
  }
  auto since = store_.syncs_between(seen, task);
  if (!since) {
    member_lists_->clear();
    return tl::unexpected(since.error());
  }
  for (const Task& t : *since) {
    if (t.type == TaskType::kGitlabAuthProvisioning || !t.scope) {
      member_lists_->clear();  // a full read: the safety net for what events do not announce
    } else {
      member_lists_->forget(*t.scope);
    }
  }
  member_lists_->set_seen_up_to(task);
  return {};
}

Result<SyncService::Computed> SyncService::compute_scoped(const SyncScope& named,
                                                          SyncProgress* progress, TaskId task) {
  auto config = automatic_config();
  if (!config) return tl::unexpected(config.error());
  const GitlabConfig& c = *config;
  const auto started = std::chrono::steady_clock::now();
  // The member lists kept from earlier events, less those of every source an event named since
  // (on any node) and all of them after a full sync; then less the sources this run names.
  if (auto caught_up = catch_up_member_lists(task); !caught_up) {
    spdlog::warn("The member lists kept for event syncs were dropped: {}",
                 caught_up.error().message);
  }
  member_lists_->forget(named);
  // A scope of member events only: just those users' rows are computed.
  std::optional<std::set<gl::Id>> only_users;
  if (named.members_only()) {
    only_users.emplace();
    for (const auto& [source, user] : named.group_members) only_users->insert(user);
    for (const auto& [source, user] : named.project_members) only_users->insert(user);
  }
  // A user event looks wherever the server has that user now, to take them out if GitLab says
  // they are gone.
  SyncScope scope = named;
  if (!named.users.empty()) {
    auto rows = store_.rows_of_gitlab_users(named.users);
    if (!rows) return tl::unexpected(rows.error());
    scope.merge(*rows);
  }
  auto bound = store_.bound_gitlab_projects();
  if (!bound) return tl::unexpected(bound.error());
  if (progress != nullptr) progress->set_phase("reading GitLab: what the events touched");
  ProvisioningReader reader(transports_(), progress,
                            provisioning_client_options(c, options_.engine));
  gitlab::Client& client = reader.client;
  auto read = read_scoped(
      client, scope, {c.allowed_groups.begin(), c.allowed_groups.end()}, *bound,
      [this](const std::set<gl::Id>& invited) { return store_.share_links_of(invited); },
      options_.rules, date_of(clock_.now()),
      MemberReads{member_lists_.get(), only_users ? &*only_users : nullptr});
  const std::int64_t requests = client.counters().total_requests();
  if (!read) {
    Error e = read.error();
    e.message += " (" + std::to_string(requests) + " GitLab requests made; nothing was changed)";
    return tl::unexpected(e);
  }
  const auto read_done = std::chrono::steady_clock::now();
  if (progress != nullptr) progress->set_phase("computing the changes");
  auto mappings = store_.role_mappings();
  if (!mappings) return tl::unexpected(mappings.error());
  const DesiredState desired =
      restrict_desired(desired_state(read->snapshot, read->projects, *mappings, options_.rules),
                       read->groups, read->projects);
  // The rows compared: those of the groups and projects read, and every user they reach or that
  // GitLab says is gone (a user reached may already exist here without being in any of them).
  store::StateScope rows;
  rows.gitlab_groups = read->groups;
  rows.gitlab_projects = read->projects;
  rows.gitlab_users = read->gone_users;
  for (const DesiredUser& u : desired.users) rows.gitlab_users.insert(u.gitlab_id);
  if (only_users) {
    // Also a user the events named who holds nothing there any more: their rows go.
    rows.gitlab_users.insert(only_users->begin(), only_users->end());
    rows.only_gitlab_users = *only_users;
  }
  for (const gl::Id id : read->groups) {
    rows.group_names.insert(read->snapshot.groups.at(id).full_path);
  }
  auto state = store_.load_scoped_state(rows);
  if (!state) return tl::unexpected(state.error());
  // The share of managed users deactivated means nothing for the handful loaded here: each
  // deactivation is of a user GitLab itself says is gone. The count limit still applies.
  GuardOptions guard = options_.guard;
  guard.max_deactivated_share = 1.0;
  SeededRandom random;
  Plan plan = make_plan(read->snapshot, desired, *state, guard, clock_.now(), random);
  keep_partial_changes(plan, read->gone_users);
  plan.counts.totals.reset();  // what a part of GitLab holds is no total of the scope
  plan.counts.gitlab_requests = requests;
  const auto done = std::chrono::steady_clock::now();
  char phases[224];
  std::snprintf(
      phases, sizeof phases,
      "scoped read %.3f s (%zu groups, %zu projects, %s), plan %.3f s; %zu member "
      "lists kept",
      std::chrono::duration<double>(read_done - started).count(), read->groups.size(),
      read->projects.size(),
      only_users ? (std::to_string(only_users->size()) + " users named").c_str() : "every member",
      std::chrono::duration<double>(done - read_done).count(), member_lists_->lists());
  Computed out{std::move(plan), requests, phases};
  out.needs_full = read->needs_full;
  return out;
}

Result<PlannedSync> SyncService::plan_full() {
  const Millis start = clock_.now();
  auto computed = compute(std::nullopt);
  if (!computed) return tl::unexpected(computed.error());
  spdlog::info("dry run phases: {}", computed->phases);  // bench/scaling reads it
  return PlannedSync{std::move(computed->plan), computed->requests, clock_.now() - start};
}

Result<Task> SyncService::request_scoped(const SyncScope& scope, const std::string& submitter) {
  return store_.queue_event_scope(scope, submitter, clock_.now(), options_.max_event_scope);
}

Result<Task> SyncService::request_full(const std::string& submitter) {
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = submitter;
  t.submitted_at = clock_.now();
  return store_.enqueue_task(t, /*only_if_idle=*/true);
}

store::TaskOutcome SyncService::apply_and_record(const Task& task, Computed computed,
                                                 Millis started) {
  store::TaskOutcome outcome;
  Plan& plan = computed.plan;
  outcome.warnings = plan.warnings;
  outcome.counts = plan.counts;
  if (plan.held) {
    outcome.status = TaskStatus::kFailed;
    outcome.held = true;
    outcome.error_message = *plan.held;
    if (auto saved = store_.save_held_plan(task.id, plan.changes); !saved) {
      outcome.error_message =
          *plan.held + " (The plan could not be kept: " + saved.error().message + ")";
    }
  } else {
    for (AuditEntry& a : plan.changes.audit) a.task_id = task.id;
    plan.changes.membership_audit.task_id = task.id;
    // Operators (and the crash-safety test) see when the one write transaction begins.
    spdlog::info("sync {} writing the changes in one transaction", task.id);
    const auto apply_start = std::chrono::steady_clock::now();
    auto applied = store_.apply_for_task(plan.changes, task.id, options_.node_id);
    const double apply_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - apply_start).count();
    spdlog::info("sync {} phases: {}{}apply {:.2f} s ({} rows, {} MB)", task.id, computed.phases,
                 computed.phases.empty() ? "" : ", ", apply_s, applied ? applied->rows_written : 0,
                 resident_mb());
    if (!applied) {
      outcome.status = TaskStatus::kFailed;
      outcome.error_message =
          "The changes could not be written, so none were: " + applied.error().message;
      outcome.counts = SyncCounts{};
      outcome.counts.gitlab_requests = computed.requests;
    } else {
      outcome.status = TaskStatus::kSuccess;
    }
  }
  outcome.counts.duration_ms = clock_.now() - started;
  outcome.info_messages = summarize(outcome.counts);
  return outcome;
}

store::TaskOutcome SyncService::run(const Task& task) {
  const Millis started = clock_.now();
  store::TaskOutcome outcome;
  {
    Heartbeat heartbeat(store_, clock_, task, options_);
    SyncProgress progress;
    ProgressReporter reporter(store_, clock_, progress, task.id, options_.node_id,
                              expected_pages(task), options_.progress_ms);
    std::optional<std::int64_t> only;
    if (task.type == TaskType::kGitlabProjectPermissionsProvisioning) {
      only = task.project_id.value_or(-1);
    }
    // Event syncs, and per-project syncs queued with their GitLab project, read only what they
    // touch; a per-project task of an older version (no scope) still reads everything.
    const bool scoped =
        task.scope.has_value() && (task.type == TaskType::kGitlabEventProvisioning ||
                                   task.type == TaskType::kGitlabProjectPermissionsProvisioning);
    if (!scoped) member_lists_->clear();  // a full read: event syncs start again from it
    auto computed =
        scoped ? compute_scoped(*task.scope, &progress, task.id) : compute(only, &progress);
    if (!scoped && task.type == TaskType::kGitlabEventProvisioning) {
      computed = tl::unexpected(Error{ErrorCode::kInvalidArgument,
                                      "This event task has no scope: there is nothing to read."});
    }
    progress.set_phase("writing the changes");
    if (!computed) {
      outcome.status = TaskStatus::kFailed;
      outcome.error_message = computed.error().message;
      outcome.counts.duration_ms = clock_.now() - started;
    } else if (heartbeat.lost()) {
      outcome.status = TaskStatus::kFailed;
      outcome.error_message = "This node lost its lease on the task; another node took it over.";
    } else {
      std::vector<store::ShareLink> shares = std::move(computed->shares);
      const bool needs_full = computed->needs_full;
      outcome = apply_and_record(task, std::move(*computed), started);
      if (outcome.status == TaskStatus::kSuccess &&
          task.type == TaskType::kGitlabAuthProvisioning) {
        // Where groups are invited, for the event syncs until the next full sync.
        if (auto saved = store_.save_share_links(shares); !saved) {
          outcome.warnings.push_back("Where GitLab groups are invited could not be kept (" +
                                     saved.error().message +
                                     "): event syncs may miss invited groups until the next "
                                     "synchronization.");
        }
      }
      if (needs_full) {
        auto full = request_full("gitlab-events");
        outcome.info_messages.push_back(
            full ? "A group named by an event is gone: full synchronization " +
                       std::to_string(full->id) + " queued"
                 : "A group named by an event is gone: a full synchronization is already queued");
      }
    }
  }
  (void)store_.finish_task(task.id, options_.node_id, clock_.now(), outcome);
  report(options_.metrics, task, outcome, clock_.now() - started);
  if (outcome.status == TaskStatus::kFailed) {
    // The reason, for operators reading the log rather than the run history (never a secret:
    // GitLab errors are built without the token).
    spdlog::warn("task {} failed: {}", task.id, outcome.error_message.value_or(""));
  }
  return outcome;
}

std::optional<std::int64_t> SyncService::expected_pages(const Task& task) {
  if (task.type != TaskType::kGitlabAuthProvisioning) return std::nullopt;
  store::TaskQuery q;
  q.type = task.type;
  q.statuses = {TaskStatus::kSuccess};
  q.page_size = 5;  // the newest first; an applied held-back plan read nothing from GitLab
  auto done = store_.list_tasks(q);
  if (!done) return std::nullopt;
  for (const Task& t : done->items) {
    if (t.counts.gitlab_requests > 0) return t.counts.gitlab_requests;
  }
  return std::nullopt;
}

Result<std::optional<std::string>> SyncService::superseded(const Task& held,
                                                           std::optional<TaskId> except) {
  store::TaskQuery q;
  q.statuses = {TaskStatus::kSuccess, TaskStatus::kFailed};
  q.page_size = 100;
  for (q.page_index = 1;; ++q.page_index) {
    auto page = store_.list_tasks(q);  // newest first
    if (!page) return tl::unexpected(page.error());
    for (const Task& t : page->items) {
      if (t.submitted_at < held.submitted_at) return std::optional<std::string>();
      // Tasks are numbered in the order they were queued: only a later one can overtake it
      // (two submitted within the same millisecond are told apart by their numbers).
      if (t.id <= held.id || t.id == except) continue;
      if (t.status == TaskStatus::kSuccess || t.held) {
        return std::optional<std::string>(
            "The plan held back by task " + std::to_string(held.id) + " is out of date: task " +
            std::to_string(t.id) +
            (t.held ? " computed a newer plan, which the guard held back too. Confirm that one."
                    : " has synchronized since. Nothing was applied; if the guard holds the "
                      "next synchronization back too, confirm its plan."));
      }
    }
    if (page->items.size() < static_cast<std::size_t>(q.page_size)) {
      return std::optional<std::string>();
    }
  }
}

Result<Task> SyncService::confirm(TaskId held, const std::string& submitter) {
  auto plan = store_.load_held_plan(held);
  if (!plan) return tl::unexpected(plan.error());
  auto original = store_.get_task(held);
  if (!original) return tl::unexpected(original.error());
  // A plan is computed against the rows of its moment: once another run has written (or held
  // back a newer plan), applying it would undo or repeat what that run did.
  if (auto stale = superseded(*original, std::nullopt); !stale || *stale) {
    return stale ? make_error(ErrorCode::kFailedPrecondition, **stale)
                 : tl::unexpected(stale.error());
  }
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = submitter;
  t.submitted_at = clock_.now();
  // Started here in one step, or not at all: never a task queued for later, nor another node's
  // task taken over, whatever runs meanwhile.
  auto started = store_.start_task(t, held, options_.node_id, clock_.now(), options_.lease_ms);
  if (!started) {
    const Error& e = started.error();
    // The store's sentence ("Task 7 is pending."), inside ours.
    const std::string why = !e.message.empty() && e.message.back() == '.'
                                ? e.message.substr(0, e.message.size() - 1)
                                : e.message;
    if (e.code == ErrorCode::kAlreadyExists) {
      return make_error(ErrorCode::kAlreadyExists,
                        "Another synchronization is pending or running (" + why +
                            "); nothing was applied. Confirm again when it has ended, if its "
                            "result still calls for this plan.");
    }
    if (e.code == ErrorCode::kFailedPrecondition) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "The plan held back by task " + std::to_string(held) +
                            " is out of date: a synchronization ran since (" + why +
                            "), so GitLab or this server may have changed. Nothing was applied; "
                            "review the latest run instead.");
    }
    return tl::unexpected(e);
  }
  const Millis begun = clock_.now();
  Computed computed{Plan{}, 0};
  computed.plan.changes = std::move(*plan);
  computed.plan.counts = original->counts;
  computed.plan.counts.gitlab_requests = 0;
  store::TaskOutcome outcome = apply_and_record(*started, std::move(computed), begun);
  outcome.info_messages.insert(outcome.info_messages.begin(),
                               "Applied the plan held back by task " + std::to_string(held));
  if (outcome.status == TaskStatus::kSuccess) (void)store_.delete_held_plan(held);
  (void)store_.finish_task(started->id, options_.node_id, clock_.now(), outcome);
  report(options_.metrics, *started, outcome, clock_.now() - begun);
  return store_.get_task(started->id);
}

Result<std::optional<Task>> SyncService::run_next() {
  auto claimed = store_.claim_task(options_.node_id, clock_.now(), options_.lease_ms);
  if (!claimed) return tl::unexpected(claimed.error());
  if (!*claimed) return std::optional<Task>();
  run(**claimed);
  auto done = store_.get_task((*claimed)->id);
  if (!done) return tl::unexpected(done.error());
  return std::optional<Task>(*done);
}

}  // namespace provisio::sync
