#pragma once
// The GitLab client options of the provisioning token: the sync and explain read GitLab with it.

#include "core/gitlab_config.hpp"
#include "gitlab/client.hpp"

namespace provisio::sync {

// Requires config.provisioning_token.
inline gitlab::ClientOptions provisioning_client_options(const GitlabConfig& config,
                                                         const gitlab::EngineOptions& engine) {
  gitlab::ClientOptions options;
  options.base_url = config.url;
  options.token = *config.provisioning_token;
  options.engine = engine;
  return options;
}

}  // namespace provisio::sync
