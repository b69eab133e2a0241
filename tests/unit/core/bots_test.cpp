// Which GitLab users are not people (behaviour.md §3): the bot flag where GitLab shows it, and the
// names GitLab gives its non-human users where it does not (member listings).
#include "core/bots.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

TEST(Bots, TheFlagSaysSoWhateverTheName) {
  EXPECT_TRUE(is_bot("release-bot", true));
  EXPECT_TRUE(is_bot("jane.doe", true));
}

TEST(Bots, AccessTokenUsersAreKnownByTheirNames) {
  EXPECT_TRUE(is_bot("project_42_bot_3f2a9c", false));
  EXPECT_TRUE(is_bot("group_7_bot_0b1c", false));
  EXPECT_TRUE(is_bot("project_42_bot2", false)) << "older GitLabs: project_<id>_bot<n>";
}

TEST(Bots, ServiceAccountsAreKnownByTheirNames) {
  // As seen on GitLab, and in GitLab's documentation of the service accounts API.
  EXPECT_TRUE(is_bot("service_account_group_164_8f57e9cd", false));
  EXPECT_TRUE(is_bot("service_account_group_345_6018816a18e515214e0c34c2b33523fc", false));
  EXPECT_TRUE(is_bot("service_account_6018816a18e515214e0c34c2b33523fc", false));
  EXPECT_TRUE(is_bot("service_account_project_12_ab34", false));
}

TEST(Bots, PeopleAreNot) {
  for (const char* name :
       {"jane.doe", "project_manager", "project_42", "group_bot", "projectx_1_bot", "project__bot",
        "service-account-team", "my_service_account_x", "serviceaccount", ""}) {
    EXPECT_FALSE(is_bot(name, false)) << name;
  }
}

}  // namespace
}  // namespace provisio
