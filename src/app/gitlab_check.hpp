#pragma once
// The live check behind the GitLab configuration's `errorMessage` (api.md): is GitLab reachable
// at the URL, and does the provisioning token work (alive, with the read_api scope, and able to
// see each allowed root group)? Nothing when all is well. Each call opens its own libcurl
// transport and makes at most a few requests with a short timeout and no retries, since an
// administrator waits for it. Thread-safe; blocks.

#include <chrono>
#include <optional>
#include <string>

#include "core/gitlab_config.hpp"

namespace provisio::app {

inline constexpr std::chrono::milliseconds kGitlabCheckTimeout{3000};

std::optional<std::string> check_gitlab_config(
    const GitlabConfig& config, std::chrono::milliseconds timeout = kGitlabCheckTimeout);

}  // namespace provisio::app
