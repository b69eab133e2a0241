// MembershipChanges keeps what was pushed, in order, whatever the mix of groups, users and
// causes, across its storage chunks.
#include "core/membership_changes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace provisio {
namespace {

std::vector<MembershipChange> listed(const MembershipChanges& changes) {
  std::vector<MembershipChange> out;
  for (const MembershipChange& m : changes) out.push_back(m);
  return out;
}

TEST(MembershipChanges, StartsEmpty) {
  const MembershipChanges changes;
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(changes.size(), 0u);
  EXPECT_EQ(changes.begin(), changes.end());
  EXPECT_THROW((void)changes.at(0), std::out_of_range);
}

TEST(MembershipChanges, KeepsEachChangeInOrder) {
  const std::vector<MembershipChange> pushed = {
      {RowRef::of_id(7), RowRef::of_id(1), 3},
      {RowRef::of_id(7), RowRef::of_created(0), 4},
      {RowRef::of_created(2), RowRef::of_id(1), 0},  // another group, a user seen before
      {RowRef::of_id(7), RowRef::of_id(9), 3},       // back to the first group: a new run
      {RowRef::of_id(7), RowRef::of_id(9), 3},       // the same change twice is kept twice
  };
  MembershipChanges changes;
  for (const MembershipChange& m : pushed) changes.push_back(m);
  EXPECT_EQ(changes.size(), pushed.size());
  EXPECT_FALSE(changes.empty());
  EXPECT_EQ(listed(changes), pushed);
  for (std::size_t i = 0; i < pushed.size(); ++i) EXPECT_EQ(changes[i], pushed[i]) << i;
  EXPECT_EQ(changes.at(2).group, RowRef::of_created(2));
  EXPECT_THROW((void)changes.at(5), std::out_of_range);
}

TEST(MembershipChanges, KeepsMillionsAcrossChunks) {
  // 300,000 changes: several storage chunks, many runs, a created user among ids.
  MembershipChanges changes;
  const auto change = [](std::size_t i) {
    return MembershipChange{RowRef::of_id(static_cast<std::int64_t>(1 + i / 1000)),
                            i % 5000 == 0 ? RowRef::of_created(i % 3)
                                          : RowRef::of_id(static_cast<std::int64_t>(1 + i % 4000)),
                            static_cast<std::uint32_t>(i % 7)};
  };
  constexpr std::size_t kCount = 300000;
  for (std::size_t i = 0; i < kCount; ++i) changes.push_back(change(i));
  ASSERT_EQ(changes.size(), kCount);
  std::size_t i = 0;
  for (const MembershipChange& m : changes) {
    ASSERT_EQ(m, change(i)) << i;
    ++i;
  }
  EXPECT_EQ(i, kCount);
  EXPECT_EQ(changes[65535], change(65535));
  EXPECT_EQ(changes[65536], change(65536));
  EXPECT_EQ(changes[kCount - 1], change(kCount - 1));
}

}  // namespace
}  // namespace provisio
