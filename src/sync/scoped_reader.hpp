#pragma once
// Reads from GitLab just what an event-driven partial sync needs (the event only says where to
// look): the groups named with every group below them, the groups and projects they are
// invited into (from the share links the last full sync kept), the bound projects among all
// these, the ancestors of each (whose members are inherited), the groups invited into any of
// them (with the ancestors of those invited into projects), and the direct members of every
// group and project read. The result is a Snapshot the shared resolver (core) reads as it reads
// a full one, and the groups and projects whose rows it fully determines.

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/desired_state.hpp"
#include "core/error.hpp"
#include "core/snapshot.hpp"
#include "core/sync_scope.hpp"
#include "gitlab/client.hpp"
#include "store/store.hpp"
#include "sync/member_list_cache.hpp"

namespace provisio::sync {

struct ScopedRead {
  Snapshot snapshot;
  // The mirrored groups and bound projects whose memberships and permissions the snapshot
  // determines completely: only their rows may change.
  std::set<gl::Id> groups;
  std::set<gl::Id> projects;
  // GitLab users the scope named that GitLab no longer shows as provisionable (deleted,
  // blocked, a bot): the partial sync may deactivate them.
  std::set<gl::Id> gone_users;
  // A group named is gone, or a group tree moved: only a full sync can tell what to delete.
  bool needs_full = false;
};

// Where GitLab groups are invited, as the last full sync saw it (Store::share_links_of).
using ShareLinks =
    std::function<Result<std::vector<store::ShareLink>>(const std::set<gl::Id>& invited)>;

// Where the direct member lists come from, and whose memberships the snapshot keeps.
struct MemberReads {
  // The lists of sources the scope does not name, kept between events; none: every list is
  // read from GitLab.
  MemberListCache* cache = nullptr;
  // When given (a scope of member events: their users), the snapshot keeps these users'
  // memberships only, and the sources named are read for them alone while they are few.
  const std::set<gl::Id>* only_users = nullptr;
};

// `scope.groups` and `scope.projects` already include the rows of the users named (the caller
// asks the store). `bound` is every bound project's GitLab id. The groups and projects of
// `scope.group_members` and `scope.project_members` are read as those named.
Result<ScopedRead> read_scoped(gitlab::Client& client, const SyncScope& scope,
                               const std::vector<std::string>& allowed_roots,
                               const std::set<gl::Id>& bound, const ShareLinks& share_links,
                               const ProvisioningRules& rules, const gl::Date& today,
                               const MemberReads& members = {});

// The share links of a full snapshot: every group invited into a group or a project it read.
std::vector<store::ShareLink> share_links(const Snapshot& snapshot);

}  // namespace provisio::sync
