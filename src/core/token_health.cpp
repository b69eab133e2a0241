#include "core/token_health.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace provisio {
namespace {

std::optional<std::chrono::sys_days> parse_date(const gl::Date& d) {
  int y = 0;
  unsigned m = 0, day = 0;
  char tail = 0;
  // GitLab writes expires_at as a date; a time after it (a timestamp) is ignored.
  if (d.size() < 10 || std::sscanf(d.c_str(), "%4d-%2u-%2u%c", &y, &m, &day, &tail) < 3) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{day}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

bool has_scope(const gl::TokenInfo& token, std::string_view scope) {
  return std::find(token.scopes.begin(), token.scopes.end(), scope) != token.scopes.end();
}

constexpr const char* kReplace =
    " Create a new token with the read_api scope and save it as the provisioning token.";

}  // namespace

std::optional<int> days_between(const gl::Date& from, const gl::Date& to) {
  const auto a = parse_date(from);
  const auto b = parse_date(to);
  if (!a || !b) return std::nullopt;
  return static_cast<int>((*b - *a).count());
}

TokenHealth token_health(const gl::TokenInfo& token, const gl::Date& today, int warn_within_days) {
  TokenHealth h;
  if (token.expires_at) h.days_left = days_between(today, *token.expires_at);
  if (token.revoked) {
    h.error = std::string("The provisioning token was revoked in GitLab.") + kReplace;
  } else if (!token.active || (h.days_left && *h.days_left <= 0)) {
    // GitLab ends a token's life at the start of its expiry date.
    h.error = "The provisioning token expired" +
              (token.expires_at ? " on " + *token.expires_at : std::string()) + "." + kReplace;
  } else if (!has_scope(token, "read_api") && !has_scope(token, "api")) {
    h.error = std::string(
                  "The provisioning token has lost the read_api scope that synchronization "
                  "needs (its scopes: ") +
              (token.scopes.empty() ? std::string("none") : [&] {
                std::string s;
                for (const auto& x : token.scopes) s += (s.empty() ? "" : ", ") + x;
                return s;
              }()) + ")." + kReplace;
  }
  if (!h.error && h.days_left && *h.days_left <= warn_within_days) {
    h.warnings.push_back("The provisioning token expires on " + *token.expires_at + ", in " +
                         std::to_string(*h.days_left) + (*h.days_left == 1 ? " day" : " days") +
                         "; synchronization fails from that day." + kReplace);
  }
  return h;
}

}  // namespace provisio
