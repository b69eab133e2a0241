#include "sync/configuration.hpp"

#include "core/admin_guard.hpp"

namespace provisio::sync {
namespace {

bool automatic(const GitlabConfig& c) {
  return c.enabled && c.provisioning_type == ProvisioningType::kAutoProvisioning;
}

// The configuration as text for the audit log: never a secret, only whether it is set.
std::string describe(const GitlabConfig& c) {
  std::string groups;
  for (const std::string& g : c.allowed_groups) groups += (groups.empty() ? "" : ",") + g;
  return std::string("enabled=") + (c.enabled ? "true" : "false") + " url=" + c.url +
         " mode=" + std::string(to_string(c.provisioning_type)) + " allowedGroups=" + groups +
         " synchronizeGroups=" + (c.synchronize_groups ? "true" : "false") +
         " allowUsersToSignUp=" + (c.allow_users_to_sign_up ? "true" : "false") +
         " secret=" + (c.secret ? "set" : "unset") +
         " provisioningToken=" + (c.provisioning_token ? "set" : "unset");
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
}

}  // namespace

Result<std::optional<GitlabConfig>> GitlabConfiguration::get() {
  return store_.load_gitlab_config();
}

Result<ConfigChange> GitlabConfiguration::create(const GitlabConfigPatch& values,
                                                 const std::string& who) {
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
  return save(std::nullopt, c, who);
}

Result<ConfigChange> GitlabConfiguration::update(const GitlabConfigPatch& patch,
                                                 const std::string& who) {
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
  return save(before, after, who);
}

Result<ConfigChange> GitlabConfiguration::create_or_update(const GitlabConfigPatch& patch,
                                                           const std::string& who) {
  auto current = store_.load_gitlab_config();
  if (!current) return tl::unexpected(current.error());
  return *current ? update(patch, who) : create(patch, who);
}

Result<ConfigChange> GitlabConfiguration::save(const std::optional<GitlabConfig>& before,
                                               GitlabConfig after, const std::string& who) {
  if (auto valid = validate(after, policy_.allow_http); !valid) {
    return tl::unexpected(valid.error());
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
