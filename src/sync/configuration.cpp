#include "sync/configuration.hpp"

#include "core/admin_guard.hpp"

namespace provisio::sync {
namespace {

bool automatic(const GitlabConfig& c) {
  return c.enabled && c.provisioning_type == ProvisioningType::kAutoProvisioning;
}

// The configuration as text for the audit log: never a secret, only whether it is set.
std::string describe(const GitlabConfig& c) {
  const auto list = [](const auto& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
  };
  const std::string groups = list(c.allowed_groups);
  return std::string("enabled=") + (c.enabled ? "true" : "false") + " url=" + c.url +
         " mode=" + std::string(to_string(c.provisioning_type)) + " allowedGroups=" + groups +
         " synchronizeGroups=" + (c.synchronize_groups ? "true" : "false") +
         " allowUsersToSignUp=" + (c.allow_users_to_sign_up ? "true" : "false") +
         " jitPrivilegedGroups=" + list(c.jit_privileged_groups) +
         " secret=" + (c.secret ? "set" : "unset") +
         " provisioningToken=" + (c.provisioning_token ? "set" : "unset");
}

// The allowed groups as the sync reads them: their order is only how the page shows them.
std::set<std::string> as_set(const std::vector<std::string>& names) {
  return {names.begin(), names.end()};
}

void apply_patch(GitlabConfig& c, const GitlabConfigPatch& p) {
  if (p.enabled) c.enabled = *p.enabled;
  if (p.application_id) c.application_id = *p.application_id;
  if (p.url) c.url = normalize_gitlab_url(*p.url);
  if (p.secret) c.secret = *p.secret;
  if (p.synchronize_groups) c.synchronize_groups = *p.synchronize_groups;
  if (p.provisioning_type) c.provisioning_type = *p.provisioning_type;
  if (p.allowed_groups) c.allowed_groups = *p.allowed_groups;
  if (p.allow_users_to_sign_up) c.allow_users_to_sign_up = *p.allow_users_to_sign_up;
  if (p.provisioning_token) {
    c.provisioning_token = p.provisioning_token->empty() ? std::nullopt : p.provisioning_token;
  }
  if (p.webhook_secret) c.webhook_secret = *p.webhook_secret;
  if (p.jit_privileged_groups) c.jit_privileged_groups = *p.jit_privileged_groups;
}

}  // namespace

bool reads_gitlab_differently(const std::optional<GitlabConfig>& before,
                              const GitlabConfig& after) {
  if (!automatic(after)) return false;
  return !before || !automatic(*before) || before->provisioning_token != after.provisioning_token ||
         as_set(before->allowed_groups) != as_set(after.allowed_groups) || before->url != after.url;
}

Result<std::optional<Task>> queue_sync_for_new_settings(store::Store& store, const Clock& clock,
                                                        const std::string& who) {
  auto config = store.load_gitlab_config();
  if (!config) return tl::unexpected(config.error());
  if (!*config || !automatic(**config)) return std::optional<Task>();
  store::TaskQuery pending;
  pending.type = TaskType::kGitlabAuthProvisioning;
  pending.statuses = {TaskStatus::kPending};
  pending.page_size = 1;
  auto waiting = store.list_tasks(pending);
  if (!waiting) return tl::unexpected(waiting.error());
  if (!waiting->items.empty()) return std::optional<Task>();
  // Not only_if_idle: a sync running now read the old settings, so another one follows it.
  Task t;
  t.type = TaskType::kGitlabAuthProvisioning;
  t.submitter = who;
  t.submitted_at = clock.now();
  auto queued = store.enqueue_task(t, /*only_if_idle=*/false);
  if (!queued) return tl::unexpected(queued.error());
  return std::optional<Task>(*queued);
}

Result<std::optional<GitlabConfig>> GitlabConfiguration::get() {
  return store_.load_gitlab_config();
}

Result<ConfigChange> GitlabConfiguration::create(const GitlabConfigPatch& values,
                                                 const std::string& who,
                                                 const ConfigVerifier& verify) {
  auto current = store_.load_gitlab_config();
  if (!current) return tl::unexpected(current.error());
  if (*current) {
    return make_error(ErrorCode::kAlreadyExists,
                      "A GitLab configuration already exists; change it instead.");
  }
  if (values.url && !values.secret) {
    return make_error(ErrorCode::kInvalidArgument,
                      "A GitLab URL needs the OAuth application's secret in the same request.");
  }
  GitlabConfig c;
  c.enabled = true;
  apply_patch(c, values);
  return save(std::nullopt, c, who, verify);
}

Result<ConfigChange> GitlabConfiguration::update(const GitlabConfigPatch& patch,
                                                 const std::string& who,
                                                 const ConfigVerifier& verify) {
  auto current = store_.load_gitlab_config();
  if (!current) return tl::unexpected(current.error());
  if (!*current) return make_error(ErrorCode::kNotFound, "There is no GitLab configuration.");
  const GitlabConfig& before = **current;
  if (patch.url && normalize_gitlab_url(*patch.url) != before.url && !patch.secret) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Changing the GitLab URL needs the application secret again, in the same "
                      "request.");
  }
  GitlabConfig after = before;
  const bool new_host = patch.url && normalize_gitlab_url(*patch.url) != before.url;
  if (new_host) {
    // Secrets were given for the old host: none goes to the new one unless given again.
    after.provisioning_token.reset();
    after.webhook_secret.reset();
  }
  after.secrets_unreadable = false;
  apply_patch(after, patch);
  if (new_host && after.provisioning_type == ProvisioningType::kAutoProvisioning &&
      !after.provisioning_token) {
    return make_error(ErrorCode::kInvalidArgument,
                      "Changing the GitLab URL clears the stored provisioning token (it was given "
                      "for the old host): give the token for " +
                          after.url + " in the same request.");
  }
  if (before.enabled && !after.enabled &&
      before.provisioning_type == ProvisioningType::kAutoProvisioning &&
      after.provisioning_type == ProvisioningType::kAutoProvisioning) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "GitLab authentication cannot be disabled while automatic provisioning is "
                      "on: switch to Just-in-Time provisioning first.");
  }
  if (before.enabled && !after.enabled) {
    // Users who log in through GitLab could no longer log in.
    auto holdings = store_.admin_holdings();
    if (!holdings) return tl::unexpected(holdings.error());
    AdminLoss loss;
    loss.gitlab_logins = true;
    if (auto kept = keeps_an_administrator(*holdings, loss, "Disabling GitLab authentication");
        !kept) {
      return tl::unexpected(kept.error());
    }
  }
  return save(before, after, who, verify);
}

Result<ConfigChange> GitlabConfiguration::create_or_update(const GitlabConfigPatch& patch,
                                                           const std::string& who,
                                                           const ConfigVerifier& verify) {
  auto current = store_.load_gitlab_config();
  if (!current) return tl::unexpected(current.error());
  return *current ? update(patch, who, verify) : create(patch, who, verify);
}

Result<ConfigChange> GitlabConfiguration::save(const std::optional<GitlabConfig>& before,
                                               const GitlabConfig& after, const std::string& who,
                                               const ConfigVerifier& verify) {
  if (auto valid = validate(after, policy_.allow_http); !valid) {
    return tl::unexpected(valid.error());
  }
  if (verify) {
    if (auto verified = verify(before, after); !verified) return tl::unexpected(verified.error());
  }
  if (auto saved = store_.save_gitlab_config(after); !saved) return tl::unexpected(saved.error());
  ConfigChange change{after, std::nullopt};
  const bool was_auto = before && automatic(*before);
  const bool is_auto = automatic(after);
  if (was_auto && !is_auto) {
    // Leaving automatic provisioning keeps every user and group, unmanaged.
    if (auto cleared = store_.clear_managed_flags(); !cleared)
      return tl::unexpected(cleared.error());
  }
  if (!was_auto && is_auto) {
    Task t;
    t.type = TaskType::kGitlabAuthProvisioning;
    t.submitter = who;
    t.submitted_at = clock_.now();
    auto queued = store_.enqueue_task(t, /*only_if_idle=*/true);
    if (queued) change.queued_sync = *queued;
  } else if (was_auto && reads_gitlab_differently(before, after)) {
    // Another token or other allowed groups: synchronize with them now, not in up to an hour.
    auto queued = queue_sync_for_new_settings(store_, clock_, who);
    if (queued && *queued) change.queued_sync = **queued;
  }
  AuditEntry a;
  a.at = clock_.now();
  a.actor = who;
  a.action = before ? "config.update" : "config.create";
  a.entity_type = "config";
  a.entity = "gitlab-configuration";
  if (before) a.before = describe(*before);
  a.after = describe(after);
  (void)store_.append_audit({a});
  return change;
}

Status GitlabConfiguration::remove(const std::string& who) {
  auto current = store_.load_gitlab_config();
  if (!current) return tl::unexpected(current.error());
  if (!*current) return make_error(ErrorCode::kNotFound, "There is no GitLab configuration.");
  if ((*current)->enabled) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "Disable the GitLab configuration before deleting it.");
  }
  if (auto deleted = store_.delete_gitlab_config(); !deleted) return deleted;
  if (auto cleared = store_.clear_managed_flags(); !cleared) return cleared;
  AuditEntry a;
  a.at = clock_.now();
  a.actor = who;
  a.action = "config.delete";
  a.entity_type = "config";
  a.entity = "gitlab-configuration";
  a.before = describe(**current);
  return store_.append_audit({a});
}

}  // namespace provisio::sync
