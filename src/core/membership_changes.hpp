#pragma once
// The membership additions or removals of a ChangeSet, kept compact: a first sync of a large
// GitLab adds millions (11.7 M on world M), so a change costs 8 bytes here instead of the 24 of a
// MembershipChange. Changes are kept in the order they were pushed; consecutive changes of one
// group share a run, and each user's RowRef is kept once. Storage grows by fixed chunks, so the
// list never holds two copies of itself while growing.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <unordered_map>
#include <vector>

#include "core/row_ref.hpp"

namespace provisio {

struct MembershipChange {
  RowRef group;
  RowRef user;
  std::uint32_t cause = 0;  // index into ChangeSet::causes
  friend bool operator==(const MembershipChange&, const MembershipChange&) = default;
};

class MembershipChanges {
 public:
  void push_back(const MembershipChange& change);
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  MembershipChange operator[](std::size_t index) const;
  MembershipChange at(std::size_t index) const;  // std::out_of_range past the end

  // NOLINTNEXTLINE(readability-identifier-naming): the standard containers' name
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = MembershipChange;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = MembershipChange;

    const_iterator() = default;
    MembershipChange operator*() const { return (*list_)[index_]; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++index_;
      return before;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.index_ == b.index_;
    }

   private:
    friend class MembershipChanges;
    const_iterator(const MembershipChanges* list, std::size_t index) : list_(list), index_(index) {}
    const MembershipChanges* list_ = nullptr;
    std::size_t index_ = 0;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  static constexpr std::size_t kChunkBits = 16;  // 65,536 changes (512 KB) per chunk
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkBits;
  struct Entry {
    std::uint32_t user = 0;  // index into users_
    std::uint32_t cause = 0;
  };
  struct Run {
    RowRef group;
    std::size_t end = 0;  // entries [previous run's end, end) are this group's
  };
  const Entry& entry(std::size_t index) const {
    return chunks_[index >> kChunkBits][index & (kChunk - 1)];
  }

  std::vector<std::vector<Entry>> chunks_;
  std::vector<Run> runs_;
  std::vector<RowRef> users_;
  std::unordered_map<std::int64_t, std::uint32_t> user_slot_;  // RowRef::encoded() -> users_
  std::size_t size_ = 0;
};

}  // namespace provisio
