// The member lists event syncs keep between runs (sync/member_list_cache.hpp), on plain data.
#include "sync/member_list_cache.hpp"

#include <gtest/gtest.h>

namespace provisio::sync {
namespace {

std::vector<gl::Member> members(std::initializer_list<gl::Id> users) {
  std::vector<gl::Member> out;
  for (const gl::Id id : users) {
    gl::Member m;
    m.user_id = id;
    m.username = "user" + std::to_string(id);
    m.access_level = 30;
    out.push_back(m);
  }
  return out;
}

std::vector<gl::Id> users_of(const std::optional<std::vector<gl::Member>>& list) {
  std::vector<gl::Id> out;
  if (list) {
    for (const gl::Member& m : *list) out.push_back(m.user_id);
  }
  return out;
}

TEST(MemberListCache, KeepsListsByKindAndIdAndHandsOutTheMembersAskedFor) {
  MemberListCache cache(100);
  cache.put(SourceKind::kGroup, 1, members({10, 11, 12}));
  cache.put(SourceKind::kProject, 1, members({20}));
  EXPECT_EQ(users_of(cache.find(SourceKind::kGroup, 1)), (std::vector<gl::Id>{10, 11, 12}));
  EXPECT_EQ(users_of(cache.find(SourceKind::kProject, 1)), (std::vector<gl::Id>{20}));
  const std::set<gl::Id> only = {11, 99};
  EXPECT_EQ(users_of(cache.find(SourceKind::kGroup, 1, &only)), (std::vector<gl::Id>{11}));
  EXPECT_FALSE(cache.find(SourceKind::kGroup, 2));
  // An empty list is a list (a group without members), not a miss.
  cache.put(SourceKind::kGroup, 3, {});
  ASSERT_TRUE(cache.find(SourceKind::kGroup, 3));
  EXPECT_EQ(cache.members(), 4u);
}

TEST(MemberListCache, AnEventDropsTheListsOfWhatItNamesAndAUserEventDropsAll) {
  MemberListCache cache(100);
  for (gl::Id id = 1; id <= 4; ++id) {
    cache.put(SourceKind::kGroup, id, members({id}));
    cache.put(SourceKind::kProject, id, members({id}));
  }
  SyncScope scope;
  scope.group_members = {{1, 50}};
  scope.groups = {2};
  scope.project_members = {{3, 50}};
  scope.projects = {4};
  cache.forget(scope);
  EXPECT_FALSE(cache.find(SourceKind::kGroup, 1));
  EXPECT_FALSE(cache.find(SourceKind::kGroup, 2));
  EXPECT_TRUE(cache.find(SourceKind::kGroup, 3)) << "project 3 was named, not group 3";
  EXPECT_TRUE(cache.find(SourceKind::kGroup, 4));
  EXPECT_TRUE(cache.find(SourceKind::kProject, 1));
  EXPECT_TRUE(cache.find(SourceKind::kProject, 2));
  EXPECT_FALSE(cache.find(SourceKind::kProject, 3));
  EXPECT_FALSE(cache.find(SourceKind::kProject, 4));
  EXPECT_EQ(cache.lists(), 4u);
  EXPECT_EQ(cache.members(), 4u);

  SyncScope user;
  user.users = {7};  // blocked, renamed or deleted: their rows are in any list
  cache.forget(user);
  EXPECT_EQ(cache.lists(), 0u);
  EXPECT_EQ(cache.members(), 0u);
}

TEST(MemberListCache, StaysWithinItsBoundDroppingTheLeastRecentlyUsedFirst) {
  MemberListCache cache(5);
  cache.put(SourceKind::kGroup, 1, members({1, 2}));
  cache.put(SourceKind::kGroup, 2, members({3, 4}));
  ASSERT_TRUE(cache.find(SourceKind::kGroup, 1));     // 1 is now the more recently used
  cache.put(SourceKind::kGroup, 3, members({5, 6}));  // 6 members: one list must go
  EXPECT_TRUE(cache.find(SourceKind::kGroup, 1));
  EXPECT_FALSE(cache.find(SourceKind::kGroup, 2));
  EXPECT_TRUE(cache.find(SourceKind::kGroup, 3));
  EXPECT_EQ(cache.members(), 4u);
  // A list longer than the whole bound is not kept, and drops nothing.
  cache.put(SourceKind::kGroup, 4, members({1, 2, 3, 4, 5, 6}));
  EXPECT_FALSE(cache.find(SourceKind::kGroup, 4));
  EXPECT_EQ(cache.lists(), 2u);
  // Put again, a list replaces the one held.
  cache.put(SourceKind::kGroup, 1, members({9}));
  EXPECT_EQ(users_of(cache.find(SourceKind::kGroup, 1)), (std::vector<gl::Id>{9}));
  EXPECT_EQ(cache.members(), 3u);
  cache.clear();
  EXPECT_EQ(cache.lists(), 0u);
  EXPECT_EQ(cache.members(), 0u);
}

}  // namespace
}  // namespace provisio::sync
