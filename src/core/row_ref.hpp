#pragma once
// A user or group row named in a ChangeSet: by id when it exists, else by its index in the
// ChangeSet's users_to_create or groups_to_create, because a created row's id is not known until
// it is written.

#include <cstddef>
#include <cstdint>

namespace provisio {

// One integer: ids are positive, so a created row's index is kept as -(index + 1).
class RowRef {
 public:
  RowRef() = default;
  static RowRef of_id(std::int64_t id) { return RowRef(id); }
  static RowRef of_created(std::size_t index) {
    return RowRef(-static_cast<std::int64_t>(index) - 1);
  }
  bool is_created() const { return value_ < 0; }
  std::int64_t id() const { return value_ > 0 ? value_ : 0; }  // 0 for a created row
  std::size_t created_index() const { return static_cast<std::size_t>(-value_ - 1); }
  std::int64_t encoded() const { return value_; }  // distinct for distinct rows: a hash key
  friend bool operator==(const RowRef&, const RowRef&) = default;

 private:
  explicit RowRef(std::int64_t value) : value_(value) {}
  std::int64_t value_ = 0;
};

}  // namespace provisio
