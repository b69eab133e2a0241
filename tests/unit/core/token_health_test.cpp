// The provisioning token's health: revoked, expired, without read_api, expiring within 14 days.
#include "core/token_health.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

gl::TokenInfo token(std::optional<gl::Date> expires,
                    std::vector<std::string> scopes = {"read_api"}) {
  gl::TokenInfo t;
  t.id = 4;
  t.scopes = std::move(scopes);
  t.expires_at = std::move(expires);
  return t;
}

TEST(TokenHealth, AWorkingTokenWithoutExpiryIsHealthy) {
  const auto h = token_health(token(std::nullopt), "2026-11-28");
  EXPECT_FALSE(h.error);
  EXPECT_TRUE(h.warnings.empty());
  EXPECT_FALSE(h.days_left);
}

TEST(TokenHealth, WarnsWithinFourteenDaysNotBefore) {
  EXPECT_TRUE(token_health(token("2026-12-13"), "2026-11-28").warnings.empty());  // 15 days
  const auto h = token_health(token("2026-12-12"), "2026-11-28");                 // 14 days
  ASSERT_EQ(h.warnings.size(), 1u);
  EXPECT_NE(h.warnings[0].find("expires on 2026-12-12, in 14 days"), std::string::npos)
      << h.warnings[0];
  EXPECT_FALSE(h.error);
  const auto tomorrow = token_health(token("2026-11-29"), "2026-11-28");
  ASSERT_EQ(tomorrow.warnings.size(), 1u);
  EXPECT_NE(tomorrow.warnings[0].find("in 1 day;"), std::string::npos) << tomorrow.warnings[0];
}

TEST(TokenHealth, ExpiredRevokedAndScopeLossAreErrors) {
  auto expired = token_health(token("2026-11-28"), "2026-11-28");
  ASSERT_TRUE(expired.error);
  EXPECT_NE(expired.error->find("expired on 2026-11-28"), std::string::npos);
  gl::TokenInfo revoked = token(std::nullopt);
  revoked.revoked = true;
  revoked.active = false;
  ASSERT_TRUE(token_health(revoked, "2026-11-28").error);
  EXPECT_NE(token_health(revoked, "2026-11-28").error->find("revoked"), std::string::npos);
  const auto scope = token_health(token(std::nullopt, {"read_user"}), "2026-11-28");
  ASSERT_TRUE(scope.error);
  EXPECT_NE(scope.error->find("lost the read_api scope"), std::string::npos) << *scope.error;
  EXPECT_NE(scope.error->find("read_user"), std::string::npos) << *scope.error;
  EXPECT_FALSE(token_health(token(std::nullopt, {"api"}), "2026-11-28").error);
}

TEST(TokenHealth, DaysBetweenDates) {
  EXPECT_EQ(days_between("2026-11-28", "2027-01-01"), 34);
  EXPECT_EQ(days_between("2028-02-28", "2028-03-01"), 2);  // a leap year
  EXPECT_FALSE(days_between("2026-11-28", "soon"));
}

}  // namespace
}  // namespace provisio
