// The login limiter: back-off per guessing address, never a lock on the account.
#include "auth/login_limiter.hpp"

#include <gtest/gtest.h>

namespace provisio::auth {
namespace {

class LoginLimiterTest : public ::testing::Test {
 protected:
  ManualClock clock_{1'000'000};
  LoginLimiter limiter_{clock_};
};

TEST_F(LoginLimiterTest, AnAddressGuessingOneAccountWaitsLongerAfterEachFailure) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(limiter_.check("admin", "10.0.0.9"));
    limiter_.record_failure("admin", "10.0.0.9");
  }
  EXPECT_EQ(limiter_.retry_after("admin", "10.0.0.9"), 1000);
  const auto refused = limiter_.check("admin", "10.0.0.9");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kRateLimited);
  clock_.advance(1000);
  EXPECT_TRUE(limiter_.check("admin", "10.0.0.9"));
  limiter_.record_failure("admin", "10.0.0.9");
  EXPECT_EQ(limiter_.retry_after("admin", "10.0.0.9"), 2000);
  clock_.advance(2000);
  limiter_.record_failure("admin", "10.0.0.9");
  EXPECT_EQ(limiter_.retry_after("admin", "10.0.0.9"), 4000);
}

TEST_F(LoginLimiterTest, TheWaitStopsAtFifteenMinutes) {
  for (int i = 0; i < 40; ++i) limiter_.record_failure("admin", "10.0.0.9");
  EXPECT_EQ(limiter_.retry_after("admin", "10.0.0.9"), 15 * 60 * 1000);
}

TEST_F(LoginLimiterTest, AnotherAddressIsNeverHeldBackByTheGuessersFailures) {
  for (int i = 0; i < 100; ++i) limiter_.record_failure("admin", "10.0.0.9");
  EXPECT_TRUE(limiter_.check("admin", "10.0.0.2"));
}

TEST_F(LoginLimiterTest, ManyAddressesAgainstOneAccountEachWaitAfterOneFailure) {
  for (int i = 0; i < 10; ++i) limiter_.record_failure("admin", "10.0.1." + std::to_string(i));
  EXPECT_EQ(limiter_.retry_after("admin", "10.0.1.0"), 1000) << "the account is under attack";
  EXPECT_EQ(limiter_.retry_after("admin", "10.0.2.1"), 0) << "an address that has not failed";
  EXPECT_EQ(limiter_.retry_after("other", "10.0.1.0"), 0) << "another account";
}

TEST_F(LoginLimiterTest, AnAddressSprayingManyAccountsBacksOffToo) {
  for (int i = 0; i < 20; ++i) limiter_.record_failure("user" + std::to_string(i), "10.0.0.9");
  EXPECT_EQ(limiter_.retry_after("user-never-tried", "10.0.0.9"), 1000);
}

TEST_F(LoginLimiterTest, AnIpv6ClientIsItsSlash64) {
  for (int i = 0; i < 5; ++i) {
    limiter_.record_failure("admin", "2001:db8:0:1::" + std::to_string(i + 1));
  }
  EXPECT_GT(limiter_.retry_after("admin", "2001:db8:0:1::ffff"), 0);
  EXPECT_EQ(limiter_.retry_after("admin", "2001:db8:0:2::1"), 0);
}

TEST_F(LoginLimiterTest, ASuccessForgetsOnlyThatAddresssFailures) {
  for (int i = 0; i < 5; ++i) limiter_.record_failure("admin", "10.0.0.9");
  for (int i = 0; i < 3; ++i) limiter_.record_failure("admin", "10.0.0.2");
  limiter_.record_success("admin", "10.0.0.2");
  EXPECT_GT(limiter_.retry_after("admin", "10.0.0.9"), 0);
  limiter_.record_failure("admin", "10.0.0.2");
  EXPECT_EQ(limiter_.retry_after("admin", "10.0.0.2"), 0);
}

TEST_F(LoginLimiterTest, KeysAreSweptOnceQuietForTheWindowAndBounded) {
  limiter_.record_failure("admin", "10.0.0.9");
  EXPECT_EQ(limiter_.size(), 3u) << "the pair, the address and the account";
  clock_.advance(15 * 60 * 1000 - 1);
  limiter_.sweep();
  EXPECT_EQ(limiter_.size(), 3u);
  clock_.advance(1);
  limiter_.sweep();
  EXPECT_EQ(limiter_.size(), 0u);

  LoginLimits small;
  small.max_keys = 10;
  LoginLimiter bounded(clock_, small);
  for (int i = 0; i < 100; ++i) {
    clock_.advance(1);
    bounded.record_failure(std::string(1000, 'x') + std::to_string(i),
                           "10.0.0." + std::to_string(i));
  }
  EXPECT_LE(bounded.size(), 30u);
}

}  // namespace
}  // namespace provisio::auth
