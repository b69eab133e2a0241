#include "core/group_members.hpp"

#include <algorithm>

namespace provisio {

GroupMembers::GroupMembers(std::initializer_list<Membership> memberships) {
  for (const Membership& m : memberships) insert(m);
}

GroupMembers GroupMembers::from(std::vector<Membership> memberships) {
  std::sort(memberships.begin(), memberships.end());
  GroupMembers out;
  out.reserve(memberships.size());
  for (const Membership& m : memberships) out.insert(m);
  return out;
}

bool GroupMembers::insert(Membership m) {
  const auto g = std::lower_bound(groups_.begin(), groups_.end(), m.group_id);
  const auto k = static_cast<std::size_t>(g - groups_.begin());
  if (g == groups_.end() || *g != m.group_id) {
    groups_.insert(g, m.group_id);
    ends_.insert(ends_.begin() + static_cast<std::ptrdiff_t>(k), start_of(k));
  }
  const auto first = users_.begin() + static_cast<std::ptrdiff_t>(start_of(k));
  const auto last = users_.begin() + static_cast<std::ptrdiff_t>(ends_[k]);
  const auto at = std::lower_bound(first, last, m.user_id);
  if (at != last && *at == m.user_id) return false;
  users_.insert(at, m.user_id);
  for (std::size_t i = k; i < ends_.size(); ++i) ++ends_[i];
  return true;
}

bool GroupMembers::erase(Membership m) {
  const auto g = std::lower_bound(groups_.begin(), groups_.end(), m.group_id);
  if (g == groups_.end() || *g != m.group_id) return false;
  const auto k = static_cast<std::size_t>(g - groups_.begin());
  const auto first = users_.begin() + static_cast<std::ptrdiff_t>(start_of(k));
  const auto last = users_.begin() + static_cast<std::ptrdiff_t>(ends_[k]);
  const auto at = std::lower_bound(first, last, m.user_id);
  if (at == last || *at != m.user_id) return false;
  users_.erase(at);
  for (std::size_t i = k; i < ends_.size(); ++i) --ends_[i];
  if (start_of(k) == ends_[k]) {  // its last member: the group leaves the table
    groups_.erase(g);
    ends_.erase(ends_.begin() + static_cast<std::ptrdiff_t>(k));
  }
  return true;
}

void GroupMembers::erase_if(const std::function<bool(const Membership&)>& remove) {
  GroupMembers kept;
  kept.reserve(users_.size());
  for (const Membership m : *this) {
    if (!remove(m)) kept.insert(m);
  }
  *this = std::move(kept);
}

bool GroupMembers::contains(Membership m) const {
  const std::span<const UserId> members = of(m.group_id);
  return std::binary_search(members.begin(), members.end(), m.user_id);
}

std::span<const UserId> GroupMembers::of(GroupId group) const {
  const auto g = std::lower_bound(groups_.begin(), groups_.end(), group);
  if (g == groups_.end() || *g != group) return {};
  const auto k = static_cast<std::size_t>(g - groups_.begin());
  return std::span<const UserId>(users_).subspan(start_of(k), ends_[k] - start_of(k));
}

GroupMembers::const_iterator& GroupMembers::const_iterator::operator++() {
  ++at_;
  if (at_ == members_->ends_[group_]) ++group_;
  return *this;
}

}  // namespace provisio
