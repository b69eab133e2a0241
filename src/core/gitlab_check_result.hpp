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

  GitlabCheckResult() = default;
  // An error alone (implicit on purpose: a check that only knows errors converts as is).
  GitlabCheckResult(std::optional<std::string> e) : error(std::move(e)) {}  // NOLINT
};

}  // namespace provisio
