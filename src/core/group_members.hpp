#pragma once
// The members of every group, as the server holds them: one sorted run of user ids per group.
// World M's state has 11.7 M memberships; as (group, user) pairs they took 16 bytes each (187 MB
// of a sync's 455 MB peak with 50 bound projects), here they take the 8 of the user id. The plan
// compares a group's stored members with its desired ones, so it reads them group by group.

#include <compare>
#include <cstddef>
#include <functional>
#include <iterator>
#include <span>
#include <vector>

#include "core/group.hpp"

namespace provisio {

class GroupMembers {
 public:
  GroupMembers() = default;
  GroupMembers(std::initializer_list<Membership> memberships);
  // From pairs in any order, sorted first (an insert out of order moves everything after it).
  static GroupMembers from(std::vector<Membership> memberships);

  // Room for `memberships` in all, so a large load allocates once.
  void reserve(std::size_t memberships) { users_.reserve(memberships); }
  // Adds a membership; false if it was there. Constant time when added in (group, user) order, as
  // the store reads them; otherwise linear (tests and small scoped states).
  bool insert(Membership m);
  bool erase(Membership m);  // false if it was not there
  void erase_if(const std::function<bool(const Membership&)>& remove);
  bool contains(Membership m) const;

  // The members of `group` in increasing id order; empty for a group without members.
  std::span<const UserId> of(GroupId group) const;
  std::size_t size() const { return users_.size(); }
  bool empty() const { return users_.empty(); }

  // Every membership in (group, user) order.
  // NOLINTNEXTLINE(readability-identifier-naming): the standard containers' name
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Membership;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Membership;

    const_iterator() = default;
    Membership operator*() const { return {members_->groups_[group_], members_->users_[at_]}; }
    const_iterator& operator++();
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.at_ == b.at_;
    }

   private:
    friend class GroupMembers;
    const_iterator(const GroupMembers* members, std::size_t group, std::size_t at)
        : members_(members), group_(group), at_(at) {}
    const GroupMembers* members_ = nullptr;
    std::size_t group_ = 0;  // index into groups_
    std::size_t at_ = 0;     // index into users_
  };
  const_iterator begin() const { return {this, 0, 0}; }
  const_iterator end() const { return {this, groups_.size(), users_.size()}; }

  friend bool operator==(const GroupMembers&, const GroupMembers&) = default;

 private:
  std::size_t start_of(std::size_t group) const { return group == 0 ? 0 : ends_[group - 1]; }

  std::vector<GroupId> groups_;    // increasing; only groups with members
  std::vector<std::size_t> ends_;  // ends_[i]: where the run of groups_[i] ends in users_
  std::vector<UserId> users_;      // each group's members, increasing within the run
};

}  // namespace provisio
