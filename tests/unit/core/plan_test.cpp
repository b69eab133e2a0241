// Pure rules of the planner on plain data. Its scenarios (a sync planned, applied, GitLab
// changed, planned again) run against a real store, on SQLite and PostgreSQL:
// tests/store/plan_scenarios_test.cpp.
#include "core/plan.hpp"

#include <gtest/gtest.h>

namespace provisio {
namespace {

TEST(Slugify, MakesLoginsFromNames) {
  EXPECT_EQ(slugify("Jane Doe"), "jane-doe");
  EXPECT_EQ(slugify("  Ünïcode -- Name!! "), "n-code-name");
  EXPECT_EQ(slugify("***"), "user");
}

}  // namespace
}  // namespace provisio
