#pragma once
// Reads a complete Snapshot of the allowed root groups through the GitLab client: the group
// trees, the groups invited into each (sync/group_shares_reader.hpp), direct members of every group
// and project, the projects with their shares, and the groups invited from outside (with the
// ancestors of those invited into projects). Direct memberships only: inheritance is resolved
// locally, so the request count stays near the pages that must be read at all. The member lists
// go over GraphQL, many per request, where GraphQL answers exactly (sync/members_reader.hpp).
// Any failed read fails the whole snapshot.

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/snapshot.hpp"
#include "gitlab/client.hpp"
#include "sync/members_reader.hpp"
#include "sync/progress.hpp"

namespace provisio::sync {

// Reads the snapshot of `allowed_roots` (root-group slugs). `today` is the date that decides
// expiry. A slug that is not a root group, or that the token cannot see, fails the read with a
// message naming it. `progress`, when given, hears which step it is at. `members_api` chooses how
// member lists are read.
Result<Snapshot> read_snapshot(gitlab::Client& client,
                               const std::vector<std::string>& allowed_roots, const gl::Date& today,
                               SyncProgress* progress = nullptr,
                               MembersApi members_api = MembersApi::kGraphql);

// One allowed root group, read by its slug: the error names the slug when GitLab does not have
// it, the token cannot see it, or it is no root group. The sync and the configuration's check
// both read the roots this way, so an administrator reads the same words in both.
Result<gl::Group> read_allowed_root(gitlab::Client& client, const std::string& slug);

// "2026-11-28" for a time in milliseconds since the epoch (UTC).
gl::Date date_of(Millis at);

}  // namespace provisio::sync
