#include "core/group_members.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace provisio {
namespace {

std::vector<Membership> pairs(const GroupMembers& members) {
  return {members.begin(), members.end()};
}

std::vector<UserId> ids(std::span<const UserId> members) {
  return {members.begin(), members.end()};
}

TEST(GroupMembers, KeepsEachGroupsMembersSortedWhateverTheInsertOrder) {
  GroupMembers m;
  EXPECT_TRUE(m.insert({20, 3}));
  EXPECT_TRUE(m.insert({10, 7}));
  EXPECT_TRUE(m.insert({20, 1}));
  EXPECT_TRUE(m.insert({15, 2}));
  EXPECT_TRUE(m.insert({10, 4}));
  EXPECT_FALSE(m.insert({20, 3}));  // already there
  EXPECT_EQ(m.size(), 5u);
  EXPECT_EQ(ids(m.of(10)), (std::vector<UserId>{4, 7}));
  EXPECT_EQ(ids(m.of(15)), (std::vector<UserId>{2}));
  EXPECT_EQ(ids(m.of(20)), (std::vector<UserId>{1, 3}));
  EXPECT_TRUE(m.of(12).empty());
  EXPECT_EQ(pairs(m), (std::vector<Membership>{{10, 4}, {10, 7}, {15, 2}, {20, 1}, {20, 3}}));
}

TEST(GroupMembers, ErasingAGroupsLastMemberRemovesTheGroup) {
  GroupMembers m{{1, 1}, {2, 5}, {3, 1}};
  EXPECT_FALSE(m.erase({2, 6}));
  EXPECT_FALSE(m.erase({4, 1}));
  EXPECT_TRUE(m.erase({2, 5}));
  EXPECT_TRUE(m.of(2).empty());
  EXPECT_EQ(pairs(m), (std::vector<Membership>{{1, 1}, {3, 1}}));
  EXPECT_TRUE(m.contains({3, 1}));
  EXPECT_FALSE(m.contains({2, 5}));
  m.erase_if([](const Membership& x) { return x.group_id == 1; });
  EXPECT_EQ(pairs(m), (std::vector<Membership>{{3, 1}}));
  m.erase({3, 1});
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.begin(), m.end());
}

TEST(GroupMembers, FromUnorderedPairsEqualsInsertingInOrder) {
  const GroupMembers from = GroupMembers::from({{9, 2}, {1, 3}, {9, 1}, {1, 3}, {5, 8}});
  GroupMembers ordered;
  for (const Membership m : std::vector<Membership>{{1, 3}, {5, 8}, {9, 1}, {9, 2}}) {
    ordered.insert(m);
  }
  EXPECT_EQ(from, ordered);
  EXPECT_EQ(from.size(), 4u);
}

}  // namespace
}  // namespace provisio
