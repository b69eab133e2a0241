#include "app/sync_commands.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/gitlab_check.hpp"
#include "app/sync_wiring.hpp"
#include "http/api_json.hpp"
#include "sync/configuration.hpp"
#include "sync/projects.hpp"
#include "sync/run_status.hpp"
#include "sync/worker.hpp"

namespace provisio::app {
namespace {

using nlohmann::ordered_json;

int fail(const std::string& command, const std::string& message) {
  std::cerr << "provisio " << command << ": " << message << "\n";
  return kExitFailure;
}

int usage(const std::string& command, const std::string& message) {
  std::cerr << "provisio " << command << ": " << message << "\n";
  return kExitUsage;
}

std::optional<bool> parse_bool(const std::string& s) {
  if (s == "true") return true;
  if (s == "false") return false;
  return std::nullopt;
}

// Names of the rows a plan's changes refer to: created by the plan, or stored (looked up once).
class PlanNames {
 public:
  PlanNames(const ChangeSet& changes, store::Store& store) : changes_(changes), store_(store) {
    // A group the plan renames is named as it will be, as the audit row will name it.
    for (const Group& g : changes_.groups_to_update) groups_.emplace(g.id, g.name);
  }

  Result<std::string> user(const RowRef& ref) {
    if (ref.is_created()) return changes_.users_to_create.at(ref.created_index()).login;
    if (const auto it = logins_.find(ref.id()); it != logins_.end()) return it->second;
    auto u = store_.get_user(ref.id());
    if (!u) return tl::unexpected(u.error());
    return logins_.emplace(ref.id(), u->login).first->second;
  }
  Result<std::string> group(const RowRef& ref) {
    if (ref.is_created()) return changes_.groups_to_create.at(ref.created_index()).name;
    if (const auto it = groups_.find(ref.id()); it != groups_.end()) return it->second;
    auto g = store_.get_group(ref.id());
    if (!g) return tl::unexpected(g.error());
    return groups_.emplace(ref.id(), g->name).first->second;
  }
  Result<std::string> project(ProjectId id) {
    if (projects_.empty()) {
      for (int page = 1;; ++page) {
        auto listed = store_.list_projects("", page, 500);
        if (!listed) return tl::unexpected(listed.error());
        for (const Project& p : listed->items) projects_.emplace(p.id, p.key);
        if (listed->items.size() < 500) break;
      }
    }
    const auto it = projects_.find(id);
    return it != projects_.end() ? it->second : std::to_string(id);
  }
  std::optional<std::string> cause(std::uint32_t index) const {
    if (index < changes_.causes.size() && !changes_.causes[index].empty()) {
      return changes_.causes[index];
    }
    return std::nullopt;
  }

 private:
  const ChangeSet& changes_;
  store::Store& store_;
  std::map<UserId, std::string> logins_;
  std::map<GroupId, std::string> groups_;
  std::map<ProjectId, std::string> projects_;
};

// Every change of a plan as the audit row the sync will write for it, in the order the plan
// preview lists them: the audited changes, the membership removals and additions, the permission
// revocations and grants. (The plan keeps memberships and permissions as ids and a cause index;
// apply() writes their audit rows, so names are looked up here.)
Result<std::vector<AuditEntry>> plan_entries(const Plan& p, store::Store& store) {
  const ChangeSet& c = p.changes;
  PlanNames names(c, store);
  std::vector<AuditEntry> out = c.audit;
  for (const bool added : {false, true}) {
    const MembershipChanges& changes = added ? c.memberships_to_add : c.memberships_to_remove;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const MembershipChange m = changes[i];
      auto group = names.group(m.group);
      if (!group) return tl::unexpected(group.error());
      auto who = names.user(m.user);
      if (!who) return tl::unexpected(who.error());
      AuditEntry a;
      a.action = added ? "membership.add" : "membership.remove";
      a.entity_type = "membership";
      a.entity = *group + "/" + *who;
      (added ? a.after : a.before) = "member";
      a.cause = names.cause(m.cause);
      out.push_back(std::move(a));
    }
  }
  for (const bool granted : {false, true}) {
    for (const UserPermissionChange& g :
         granted ? c.permissions_to_grant : c.permissions_to_revoke) {
      auto project = names.project(g.project_id);
      if (!project) return tl::unexpected(project.error());
      auto who = names.user(g.user);
      if (!who) return tl::unexpected(who.error());
      const std::string permission(to_string(g.permission));
      AuditEntry a;
      a.action = granted ? "permission.grant" : "permission.revoke";
      a.entity_type = "permission";
      a.entity = *project + "/" + *who + "/" + permission;
      (granted ? a.after : a.before) = permission;
      a.cause = names.cause(g.cause);
      out.push_back(std::move(a));
    }
  }
  for (const GlobalPermissionChange& g : c.global_permissions_to_revoke) {
    auto who = names.user(g.user);
    if (!who) return tl::unexpected(who.error());
    AuditEntry a;
    a.action = "permission.revoke";
    a.entity_type = "permission";
    a.entity = "(global)/" + *who + "/" + g.permission;
    a.before = g.permission;
    a.cause = names.cause(g.cause);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::unique_ptr<store::Store>> open_migrated(const Settings& settings) {
  auto store = open_database(settings, OpenMode::kCreate);
  if (!store) return store;
  if (auto m = (*store)->migrate(); !m) return tl::unexpected(m.error());
  return store;
}

using http::counts_json;
using http::totals_json;

ordered_json optional_json(const std::optional<std::string>& v) {
  return v ? ordered_json(*v) : ordered_json(nullptr);
}

ordered_json task_json(const Task& t, bool with_times) {
  ordered_json j;
  j["taskId"] = t.id;
  j["status"] = std::string(to_string(t.status));
  j["held"] = t.held;
  j["summary"] = counts_json(t.counts);
  j["totals"] = totals_json(t.counts.totals);
  j["warnings"] = t.warnings;
  j["error"] = optional_json(t.error_message);
  if (with_times) {
    j["type"] = std::string(to_string(t.type));
    j["startedAt"] = t.started_at ? ordered_json(*t.started_at) : ordered_json(nullptr);
    j["finishedAt"] = t.finished_at ? ordered_json(*t.finished_at) : ordered_json(nullptr);
  }
  return j;
}

// "reading GitLab: group members, 340 of about 1200 pages, about 2 min left"
std::string describe_progress(const TaskProgress& p) {
  std::string out = p.phase + ", " + std::to_string(p.pages_read);
  if (p.pages_expected) out += " of about " + std::to_string(*p.pages_expected);
  out += " GitLab pages read";
  if (p.eta_ms) {
    const Millis s = (*p.eta_ms + 999) / 1000;
    out += s < 60 ? ", about " + std::to_string(s) + " s left"
                  : ", about " + std::to_string((s + 59) / 60) + " min left";
  }
  return out;
}

void print_task(const Task& t) {
  std::cout << "Task " << t.id << " " << to_string(t.status) << (t.held ? " (held back)" : "")
            << "\n";
  for (const std::string& line : t.info_messages) std::cout << "  " << line << "\n";
  for (const std::string& w : t.warnings) std::cout << "  warning: " << w << "\n";
  if (t.error_message) std::cout << "  error: " << *t.error_message << "\n";
}

}  // namespace

// A secret given as an option, or read from its file ("-": standard input, read once): the first
// line, without its line end. Empty input is refused: an empty token is no token.
Result<std::optional<std::string>> secret_value(const std::optional<std::string>& value,
                                                const std::optional<std::string>& file,
                                                const std::string& option, bool& stdin_used) {
  if (value && file) {
    return make_error(ErrorCode::kInvalidArgument,
                      "give " + option + " or " + option + "-file, not both");
  }
  if (!file) return value;
  std::string line;
  if (*file == "-") {
    if (stdin_used) {
      return make_error(ErrorCode::kInvalidArgument,
                        "only one secret can be read from standard input");
    }
    stdin_used = true;
    std::getline(std::cin, line);
  } else {
    std::ifstream in(*file);
    if (!in) return make_error(ErrorCode::kInvalidArgument, "cannot read " + *file);
    std::getline(in, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      option + "-file: " + (*file == "-" ? "standard input" : *file) + " is empty");
  }
  return std::optional<std::string>(line);
}

int run_gitlab_configure(const Settings& settings, const ConfigureOptions& o) {
  const std::string cmd = "gitlab configure";
  sync::GitlabConfigPatch patch;
  const auto flag = [&](const std::optional<std::string>& v, std::optional<bool>& out,
                        const char* name) -> bool {
    if (!v) return true;
    out = parse_bool(*v);
    if (!out) {
      std::cerr << "provisio " << cmd << ": " << name << " is true or false, not '" << *v << "'\n";
      return false;
    }
    return true;
  };
  if (!flag(o.enabled, patch.enabled, "--enabled") ||
      !flag(o.sync_groups, patch.synchronize_groups, "--sync-groups") ||
      !flag(o.allow_signup, patch.allow_users_to_sign_up, "--allow-signup")) {
    return kExitUsage;
  }
  patch.url = o.url;
  patch.application_id = o.application_id;
  bool stdin_used = false;
  for (auto [value, file, option, target] :
       {std::tuple{&o.secret, &o.secret_file, "--secret", &patch.secret},
        std::tuple{&o.token, &o.token_file, "--token", &patch.provisioning_token},
        std::tuple{&o.webhook_secret, &o.webhook_secret_file, "--webhook-secret",
                   &patch.webhook_secret}}) {
    auto read = secret_value(*value, *file, option, stdin_used);
    if (!read) return usage(cmd, read.error().message);
    *target = std::move(*read);
  }
  if (o.mode) {
    if (*o.mode == "jit") {
      patch.provisioning_type = ProvisioningType::kJit;
    } else if (*o.mode == "auto") {
      patch.provisioning_type = ProvisioningType::kAutoProvisioning;
    } else {
      return usage(cmd, "--mode is jit or auto, not '" + *o.mode + "'");
    }
  }
  if (o.allowed_groups) {
    std::vector<std::string> groups;  // in the order given, a repeat once
    std::stringstream in(*o.allowed_groups);
    for (std::string g; std::getline(in, g, ',');) {
      if (!g.empty() && std::find(groups.begin(), groups.end(), g) == groups.end()) {
        groups.push_back(g);
      }
    }
    patch.allowed_groups = groups;
  }
  if (o.jit_privileged_groups) {
    std::set<std::string> groups;
    std::stringstream in(*o.jit_privileged_groups);
    for (std::string g; std::getline(in, g, ',');) {
      if (!g.empty()) groups.insert(g);
    }
    patch.jit_privileged_groups = groups;
  }
  auto store = open_migrated(settings);
  if (!store) return fail(cmd, store.error().message);
  const SystemClock clock;
  sync::GitlabConfiguration configuration(**store, clock,
                                          sync::ConfigurationPolicy{settings.gitlab_allow_http});
  // As the API does: a new token or new allowed groups for automatic provisioning are checked
  // against GitLab first, and nothing is saved when GitLab refuses them.
  const sync::ConfigVerifier verify = [&clock](const std::optional<GitlabConfig>& before,
                                               const GitlabConfig& after) -> Status {
    if (!sync::reads_gitlab_differently(before, after)) return {};
    const GitlabCheckResult check = check_gitlab(after, clock.now());
    if (check.error && check.field) return make_error(ErrorCode::kInvalidArgument, *check.error);
    return {};
  };
  auto change = configuration.create_or_update(patch, "cli", verify);
  if (!change) return fail(cmd, change.error().message);
  const GitlabConfig& c = change->config;
  std::cout << "GitLab configuration saved: " << (c.enabled ? "enabled" : "disabled") << ", "
            << (c.provisioning_type == ProvisioningType::kAutoProvisioning ? "automatic"
                                                                           : "Just-in-Time")
            << " provisioning, " << c.url << "\n";
  if (change->queued_sync) {
    std::cout << "Queued a synchronization: task " << change->queued_sync->id << "\n";
  }
  return kExitOk;
}

int run_project_create(const Settings& settings, const std::string& key, const std::string& name,
                       const std::string& visibility) {
  const auto v = parse_visibility(visibility);
  if (!v) return usage("project create", "--visibility is public or private");
  auto store = open_migrated(settings);
  if (!store) return fail("project create", store.error().message);
  auto created = sync::create_project(**store, key, name, *v, "cli");
  if (!created) return fail("project create", created.error().message);
  std::cout << "Created the project " << created->key << "\n";
  return kExitOk;
}

int run_project_bind(const Settings& settings, const std::string& key,
                     const std::string& gitlab_project_id) {
  auto store = open_migrated(settings);
  if (!store) return fail("project bind", store.error().message);
  const SystemClock clock;
  auto bound = sync::bind_project(**store, clock, key, gitlab_project_id, "cli");
  if (!bound) return fail("project bind", bound.error().message);
  std::cout << "Bound " << key << " to GitLab project " << gitlab_project_id << "\n";
  if (bound->queued_sync) {
    std::cout << "Queued its permission synchronization: task " << bound->queued_sync->id << "\n";
  }
  return kExitOk;
}

int run_sync(const Settings& settings, const SyncCommandOptions& o) {
  auto store = open_migrated(settings);
  if (!store) return fail("sync", store.error().message);
  const auto lease_ms = sync_lease_ms();
  if (!lease_ms) return fail("sync", lease_ms.error().message);
  const SystemClock clock;
  const auto read_api = gitlab_read_api();
  if (!read_api) return fail("sync", read_api.error().message);
  auto service = make_sync_service(**store, clock, nullptr, *lease_ms, *read_api);
  if (o.dry_run) {
    auto planned = service->plan_full();
    if (!planned) return fail("sync", planned.error().message);
    const Plan& p = planned->plan;
    auto listed = plan_entries(p, **store);
    if (!listed) return fail("sync", listed.error().message);
    const std::vector<AuditEntry>& entries = *listed;
    if (o.json) {
      ordered_json j;
      j["held"] = p.held.has_value();
      j["holdReason"] = optional_json(p.held);
      j["summary"] = counts_json(p.counts);
      j["totals"] = totals_json(p.counts.totals);
      j["warnings"] = p.warnings;
      ordered_json changes = ordered_json::array();
      for (const AuditEntry& a : entries) {
        changes.push_back({{"action", a.action},
                           {"entity", a.entity},
                           {"before", optional_json(a.before)},
                           {"after", optional_json(a.after)},
                           {"cause", optional_json(a.cause)}});
      }
      j["changes"] = changes;
      std::cout << j.dump(2) << std::endl;
    } else {
      std::cout << "Dry run: nothing was changed.\n";
      for (const std::string& line : sync::summarize(p.counts)) std::cout << "  " << line << "\n";
      if (p.held) std::cout << "  the guard would hold this plan back: " << *p.held << "\n";
      for (const std::string& w : p.warnings) std::cout << "  warning: " << w << "\n";
      for (const AuditEntry& a : entries) {
        std::cout << "  " << a.action << " " << a.entity << (a.cause ? "  (" + *a.cause + ")" : "")
                  << "\n";
      }
    }
    return p.held ? kExitFailure : kExitOk;
  }
  Result<Task> done = make_error(ErrorCode::kInternal, "no task");
  if (o.confirm) {
    done = service->confirm(*o.confirm, "cli");
  } else {
    // Queue a full sync, or take the one already waiting (enabling automatic provisioning
    // queues one), and run tasks until a full sync has run here.
    auto queued = service->request_full("cli");
    if (!queued && queued.error().code != ErrorCode::kAlreadyExists) {
      return fail("sync", queued.error().message);
    }
    for (int i = 0; i < 100; ++i) {
      auto ran = service->run_next();
      if (!ran) return fail("sync", ran.error().message);
      if (!*ran) {
        return fail("sync", "another node is running a synchronization; try again when it ends.");
      }
      if ((*ran)->type == TaskType::kGitlabAuthProvisioning &&
          (!queued || (*ran)->id == queued->id)) {
        done = **ran;
        break;
      }
    }
  }
  if (!done) return fail("sync", done.error().message);
  if (o.json) {
    std::cout << task_json(*done, false).dump(2) << std::endl;
  } else {
    print_task(*done);
    if (done->held) {
      std::cout << "  apply it with: provisio sync --confirm " << done->id << "\n";
    }
  }
  return done->status == TaskStatus::kSuccess ? kExitOk : kExitFailure;
}

int run_status(const Settings& settings, bool json) {
  auto store = open_database(settings, OpenMode::kExisting);
  if (!store) return fail("status", store.error().message);
  auto config = (*store)->load_gitlab_config();
  if (!config) return fail("status", config.error().message);
  store::TaskQuery q;
  q.page_size = 20;
  auto tasks = (*store)->list_tasks(q);
  if (!tasks) return fail("status", tasks.error().message);
  const auto [last, next] = sync::run_status(tasks->items);
  const bool automatic = *config && (*config)->enabled &&
                         (*config)->provisioning_type == ProvisioningType::kAutoProvisioning;
  const std::string mode = !*config || !(*config)->enabled ? "DISABLED"
                           : automatic                     ? "AUTO_PROVISIONING"
                                                           : "JIT";
  ordered_json next_json = nullptr;
  if (next) {
    next_json = {{"status", std::string(to_string(next->status))}, {"at", next->submitted_at}};
    if (next->status == TaskStatus::kInProgress && next->progress) {
      const TaskProgress& p = *next->progress;
      next_json["progress"] = {
          {"phase", p.phase},
          {"pagesRead", p.pages_read},
          {"pagesExpected",
           p.pages_expected ? ordered_json(*p.pages_expected) : ordered_json(nullptr)},
          {"etaMs", p.eta_ms ? ordered_json(*p.eta_ms) : ordered_json(nullptr)}};
    }
  } else if (automatic) {
    const Millis at = last && last->finished_at ? *last->finished_at + sync::kSyncInterval : 0;
    next_json = {{"status", "SCHEDULED"}, {"at", at}};
  }
  // The token's health, checked live: warns before an expiring or weakened token fails a sync.
  std::optional<GitlabCheckResult> token;
  if (*config && (*config)->enabled && (*config)->provisioning_token) {
    token = check_gitlab(**config, SystemClock().now());
  }
  if (json) {
    ordered_json j;
    j["mode"] = mode;
    // Whether a GitLab is configured at all, even disabled (scripts/run asks before its demo).
    j["gitlabUrl"] = *config ? ordered_json((*config)->url) : ordered_json(nullptr);
    j["lastRun"] = last ? task_json(*last, true) : ordered_json(nullptr);
    j["next"] = next_json;
    j["token"] = token ? ordered_json{{"errorMessage", optional_json(token->error)},
                                      {"warnings", token->warnings}}
                       : ordered_json(nullptr);
    std::cout << j.dump(2) << std::endl;
    return kExitOk;
  }
  std::cout << "Mode: " << mode << "\n";
  if (last) {
    std::cout << "Last run: ";
    print_task(*last);
  } else {
    std::cout << "Last run: none\n";
  }
  if (next && next->status == TaskStatus::kInProgress) {
    std::cout << "Running: task " << next->id;
    if (next->progress) std::cout << ", " << describe_progress(*next->progress);
    std::cout << "\n";
  } else if (!next_json.is_null()) {
    std::cout << "Next: " << next_json.dump() << "\n";
  }
  if (token) {
    if (token->error) std::cout << "GitLab: " << *token->error << "\n";
    for (const std::string& w : token->warnings) std::cout << "Warning: " << w << "\n";
  }
  return kExitOk;
}

}  // namespace provisio::app
