#pragma once
// The direct member lists of GitLab groups and projects that event syncs read, kept between
// events so that a second event under the same large ancestor does not read the ancestor's
// thousands of members again. Exact as long as every change of a list is announced: an event
// naming a source drops its list, a full sync (the safety net for what GitLab does not announce)
// drops them all, and so does an event naming users (blocked, renamed, deleted: their rows in
// every list). Each node keeps its own; it follows the task log (forget_named) so that the
// events and full syncs other nodes ran count too. Bounded: the least recently used lists go
// first once the members held pass the limit.
//
// Thread-safe; lists are handed out as copies (filtered when only some users matter), never as
// references into the cache.

#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "core/gitlab_types.hpp"
#include "core/sync_scope.hpp"
#include "core/task.hpp"

namespace provisio::sync {

enum class SourceKind { kGroup, kProject };

class MemberListCache {
 public:
  explicit MemberListCache(std::size_t max_members) : max_members_(max_members) {}

  // The list of `id` (only the members among `users`, when given), if it is held.
  std::optional<std::vector<gl::Member>> find(SourceKind kind, gl::Id id,
                                              const std::set<gl::Id>* users = nullptr);
  // Keeps a list read whole from GitLab. Lists longer than the whole limit are not kept.
  void put(SourceKind kind, gl::Id id, const std::vector<gl::Member>& members);
  // Drops the lists of every source `scope` names; all of them when it names users.
  void forget(const SyncScope& scope);
  void clear();

  // The last task whose effect on the lists this node has taken into account (0: none).
  TaskId seen_up_to() const;
  void set_seen_up_to(TaskId id);

  std::size_t lists() const;
  std::size_t members() const;

 private:
  using Key = std::pair<SourceKind, gl::Id>;
  struct Entry {
    std::vector<gl::Member> members;
    std::list<Key>::iterator age;  // its place in recent_
  };
  void drop(std::map<Key, Entry>::iterator it);

  mutable std::mutex mutex_;
  std::size_t max_members_;
  std::size_t held_ = 0;
  std::map<Key, Entry> lists_;
  std::list<Key> recent_;  // most recently used first
  TaskId seen_up_to_ = 0;
};

}  // namespace provisio::sync
