#pragma once
// The outcome of checking a GitLab configuration against GitLab now: what stops it working
// (the configuration's errorMessage) and what will stop it soon (a token about to expire).

#include <optional>
#include <string>
#include <vector>

namespace provisio {

struct GitlabCheckResult {
  std::optional<std::string> error;   // empty when the configuration works now
  std::vector<std::string> warnings;  // each a sentence an administrator can act on
  // The setting GitLab refused, when it answered and the error is about one: "provisioningToken"
  // (refused, expired, revoked, without read_api) or "allowedGroups" (a group it does not have,
  // that the token cannot see, or that is no root group). Empty when GitLab could not be asked
  // (unreachable, slow): then nothing is known against the settings.
  std::optional<std::string> field;
  std::optional<std::string> allowed_group;  // with "allowedGroups": the slug concerned

  GitlabCheckResult() = default;
  // An error alone (implicit on purpose: a check that only knows errors converts as is).
  GitlabCheckResult(std::optional<std::string> e) : error(std::move(e)) {}  // NOLINT
};

}  // namespace provisio
