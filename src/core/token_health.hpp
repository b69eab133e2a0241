#pragma once
// Token health (behaviour.md §6): warn before the provisioning token stops working — revoked,
// expired or about to, or without the read_api (or api) scope a sync needs — so an administrator
// replaces it before a synchronization fails. Pure: a function of GitLab's answer to
// GET /personal_access_tokens/self and today's date.

#include <optional>
#include <string>
#include <vector>

#include "core/gitlab_types.hpp"

namespace provisio {

inline constexpr int kTokenExpiryWarningDays = 14;

struct TokenHealth {
  // A problem that stops synchronization now (revoked, expired, missing scope); empty when the
  // token works.
  std::optional<std::string> error;
  // What will stop it soon (expires within kTokenExpiryWarningDays days).
  std::vector<std::string> warnings;
  std::optional<int> days_left;  // until expiry, when the token expires
};

TokenHealth token_health(const gl::TokenInfo& token, const gl::Date& today,
                         int warn_within_days = kTokenExpiryWarningDays);

// Whole days from `from` to `to` ("2026-11-28" dates); nothing when either is not a date.
std::optional<int> days_between(const gl::Date& from, const gl::Date& to);

}  // namespace provisio
