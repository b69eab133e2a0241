#pragma once
// What a partial sync re-reads from GitLab: the groups, projects and users that GitLab events
// named (by GitLab id). Events only say where to look; the sync decides what changed.

#include <cstdint>
#include <set>

namespace provisio {

struct SyncScope {
  std::set<std::int64_t> groups;    // a membership of these groups changed (or the group itself)
  std::set<std::int64_t> projects;  // a membership, the visibility or the place of these changed
  std::set<std::int64_t> users;     // these users changed (blocked, renamed, deleted)

  bool empty() const { return groups.empty() && projects.empty() && users.empty(); }
  // The union: events of a burst coalesce into one run.
  void merge(const SyncScope& other) {
    groups.insert(other.groups.begin(), other.groups.end());
    projects.insert(other.projects.begin(), other.projects.end());
    users.insert(other.users.begin(), other.users.end());
  }
  friend bool operator==(const SyncScope&, const SyncScope&) = default;
};

}  // namespace provisio
