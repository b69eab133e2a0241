#pragma once
// The rules of the single GitLab configuration (behaviour.md §2, api.md), shared by the HTTP API
// and `provisio gitlab configure`: only one configuration; changing the URL needs the secret
// again and clears every other stored secret the change does not give again (they were given
// for the old host, and the change's own check must not send them to the new one); an https URL
// unless loopback or allowed; automatic provisioning needs a token and allowed groups; enabling
// it queues the first sync; leaving it clears the managed flags; a configuration is disabled only
// in JIT mode, and not while every administrator logs in through GitLab (core/admin_guard.hpp),
// and deleted only when disabled (which also clears the managed flags).

#include <optional>
#include <set>
#include <string>

#include "core/gitlab_config.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace provisio::sync {

// A change: absent fields stay as they are (merge-patch semantics).
struct GitlabConfigPatch {
  std::optional<bool> enabled;
  std::optional<std::string> application_id;
  std::optional<std::string> url;
  std::optional<std::string> secret;
  std::optional<bool> synchronize_groups;
  std::optional<ProvisioningType> provisioning_type;
  std::optional<std::set<std::string>> allowed_groups;
  std::optional<bool> allow_users_to_sign_up;
  std::optional<std::string> provisioning_token;
  std::optional<std::string> webhook_secret;
};

struct ConfigChange {
  GitlabConfig config;
  std::optional<Task> queued_sync;  // the first sync, when automatic provisioning was enabled
};

// What the server's settings allow.
struct ConfigurationPolicy {
  bool allow_http = false;  // gitlab_allow_http: http:// URLs to hosts other than loopback
};

class GitlabConfiguration {
 public:
  GitlabConfiguration(store::Store& store, const Clock& clock, ConfigurationPolicy policy = {})
      : store_(store), clock_(clock), policy_(policy) {}

  Result<std::optional<GitlabConfig>> get();
  // kAlreadyExists when a configuration exists.
  Result<ConfigChange> create(const GitlabConfigPatch& values, const std::string& who);
  // kNotFound when there is none.
  Result<ConfigChange> update(const GitlabConfigPatch& patch, const std::string& who);
  // Creates the configuration when there is none, else updates it.
  Result<ConfigChange> create_or_update(const GitlabConfigPatch& patch, const std::string& who);
  // Refused (kFailedPrecondition) while enabled.
  Status remove(const std::string& who);

 private:
  Result<ConfigChange> save(const std::optional<GitlabConfig>& before, GitlabConfig after,
                            const std::string& who);

  store::Store& store_;
  const Clock& clock_;
  ConfigurationPolicy policy_;
};

}  // namespace provisio::sync
