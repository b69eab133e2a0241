#pragma once
// What a partial sync re-reads from GitLab: the groups, projects and users that GitLab events
// named (by GitLab id). Events only say where to look; the sync decides what changed.

#include <cstddef>
#include <cstdint>
#include <set>
#include <utility>

namespace provisio {

// A member of a group or a project: (the group's or project's GitLab id, the user's).
using SourceMember = std::pair<std::int64_t, std::int64_t>;

struct SyncScope {
  std::set<std::int64_t> groups;    // a membership of these groups changed (or the group itself)
  std::set<std::int64_t> projects;  // a membership, the visibility or the place of these changed
  std::set<std::int64_t> users;     // these users changed (blocked, renamed, deleted)
  // One member of a group or a project changed (GitLab's member events name both): only that
  // user's rows of what the group or project reaches can change.
  std::set<SourceMember> group_members;
  std::set<SourceMember> project_members;

  bool empty() const {
    return groups.empty() && projects.empty() && users.empty() && group_members.empty() &&
           project_members.empty();
  }
  // How many things the scope names: what bounds a pending event scope.
  std::size_t size() const {
    return groups.size() + projects.size() + users.size() + group_members.size() +
           project_members.size();
  }
  // True when the scope names members only: the sync recomputes just their users.
  bool members_only() const {
    return groups.empty() && projects.empty() && users.empty() &&
           !(group_members.empty() && project_members.empty());
  }
  // The union: events of a burst coalesce into one run.
  void merge(const SyncScope& other) {
    groups.insert(other.groups.begin(), other.groups.end());
    projects.insert(other.projects.begin(), other.projects.end());
    users.insert(other.users.begin(), other.users.end());
    group_members.insert(other.group_members.begin(), other.group_members.end());
    project_members.insert(other.project_members.begin(), other.project_members.end());
  }
  friend bool operator==(const SyncScope&, const SyncScope&) = default;
};

}  // namespace provisio
