#pragma once
// The rules of the single GitLab configuration (behaviour.md §2, api.md), shared by the HTTP API
// and `provisio gitlab configure`: only one configuration; changing the URL needs the secret
// again and clears every other stored secret the change does not give again (they were given
// for the old host, and the change's own check must not send them to the new one); an https URL
// unless loopback or allowed; automatic provisioning needs a token and allowed groups; enabling
// it queues the first sync; leaving it clears the managed flags; a configuration is disabled only
// in JIT mode, and not while every administrator logs in through GitLab (core/admin_guard.hpp),
// and deleted only when disabled (which also clears the managed flags); a change of token or
// allowed groups while automatic provisioning is on queues a sync.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

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
  std::optional<std::vector<std::string>> allowed_groups;  // as typed, no repeats
  std::optional<bool> allow_users_to_sign_up;
  std::optional<std::string> provisioning_token;
  std::optional<std::string> webhook_secret;
  std::optional<std::set<std::string>> jit_privileged_groups;
};

struct ConfigChange {
  GitlabConfig config;
  // The first sync, when automatic provisioning was enabled; or the sync that reads GitLab with
  // a changed token or allowed groups, when automatic provisioning stays on.
  std::optional<Task> queued_sync;
};

// What the server's settings allow.
struct ConfigurationPolicy {
  bool allow_http = false;  // gitlab_allow_http: http:// URLs to hosts other than loopback
};

// Looks at a configuration about to be saved (before: the stored one, if any): an error stops
// the save, with nothing written. The API checks a new token or allowed groups against GitLab
// this way.
using ConfigVerifier =
    std::function<Status(const std::optional<GitlabConfig>& before, const GitlabConfig& after)>;

// True when `after` runs automatic provisioning with GitLab settings that `before` did not have
// (automatic provisioning newly on, another token, other allowed groups): what must be checked
// against GitLab before saving, and what the next sync must read.
bool reads_gitlab_differently(const std::optional<GitlabConfig>& before, const GitlabConfig& after);

// Queues a full sync so that changed settings (token, allowed groups, role mapping) take effect
// now, as SonarQube does; nothing when a full sync is already pending (it reads the new
// settings). Empty when automatic provisioning is off.
Result<std::optional<Task>> queue_sync_for_new_settings(store::Store& store, const Clock& clock,
                                                        const std::string& who);

class GitlabConfiguration {
 public:
  GitlabConfiguration(store::Store& store, const Clock& clock, ConfigurationPolicy policy = {})
      : store_(store), clock_(clock), policy_(policy) {}

  Result<std::optional<GitlabConfig>> get();
  // kAlreadyExists when a configuration exists.
  Result<ConfigChange> create(const GitlabConfigPatch& values, const std::string& who,
                              const ConfigVerifier& verify = {});
  // kNotFound when there is none.
  Result<ConfigChange> update(const GitlabConfigPatch& patch, const std::string& who,
                              const ConfigVerifier& verify = {});
  // Creates the configuration when there is none, else updates it.
  Result<ConfigChange> create_or_update(const GitlabConfigPatch& patch, const std::string& who,
                                        const ConfigVerifier& verify = {});
  // Refused (kFailedPrecondition) while enabled.
  Status remove(const std::string& who);

 private:
  Result<ConfigChange> save(const std::optional<GitlabConfig>& before, const GitlabConfig& after,
                            const std::string& who, const ConfigVerifier& verify);

  store::Store& store_;
  const Clock& clock_;
  ConfigurationPolicy policy_;
};

}  // namespace provisio::sync
