#pragma once
// The live check behind the GitLab configuration's `errorMessage` (api.md): is GitLab reachable
// at the URL, and does the provisioning token work (alive, with the read_api scope, and able to
// see each allowed root group)? Nothing when all is well; a warning when the token expires
// within 14 days. Each call opens its own libcurl
// transport and makes at most a few requests with a short timeout and no retries, since an
// administrator waits for it. Thread-safe; blocks.

#include <chrono>
#include <optional>
#include <string>

#include "core/gitlab_check_result.hpp"
#include "core/gitlab_config.hpp"
#include "core/time.hpp"

namespace provisio::app {

inline constexpr std::chrono::milliseconds kGitlabCheckTimeout{3000};

// The whole check: the error, and the token's health warnings (expiry within 14 days of `now`,
// core/token_health.hpp).
GitlabCheckResult check_gitlab(const GitlabConfig& config, Millis now,
                               std::chrono::milliseconds timeout = kGitlabCheckTimeout);

// The error alone, judged today.
std::optional<std::string> check_gitlab_config(
    const GitlabConfig& config, std::chrono::milliseconds timeout = kGitlabCheckTimeout);

}  // namespace provisio::app
