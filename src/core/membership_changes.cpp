#include "core/membership_changes.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace provisio {

void MembershipChanges::push_back(const MembershipChange& change) {
  const auto [slot, added] =
      user_slot_.try_emplace(change.user.encoded(), static_cast<std::uint32_t>(users_.size()));
  if (added) users_.push_back(change.user);
  if (runs_.empty() || !(runs_.back().group == change.group))
    runs_.push_back({change.group, size_});
  if ((size_ & (kChunk - 1)) == 0) {
    chunks_.emplace_back();
    chunks_.back().reserve(kChunk);
  }
  chunks_.back().push_back({slot->second, change.cause});
  ++size_;
  runs_.back().end = size_;
}

MembershipChange MembershipChanges::operator[](std::size_t index) const {
  // The first run that ends after `index` holds it.
  const auto run = std::upper_bound(runs_.begin(), runs_.end(), index,
                                    [](std::size_t i, const Run& r) { return i < r.end; });
  const Entry& e = entry(index);
  return {run->group, users_[e.user], e.cause};
}

MembershipChange MembershipChanges::at(std::size_t index) const {
  if (index >= size_) {
    throw std::out_of_range("membership change " + std::to_string(index) + " of " +
                            std::to_string(size_));
  }
  return (*this)[index];
}

}  // namespace provisio
