#pragma once
// The groups invited into each group of a snapshot's scope (`shared_with_groups`), which only
// GET /groups/:id tells: one request per group, 400 a minute on GitLab.com. With GraphQL and an
// administrator's token, one request per ~1,000 groups first asks which groups any invited
// group's member reaches (gitlab/graphql_share_probe.hpp); a group none reaches has no share
// that gives anyone access, and its details are not read (to anyone else GitLab hides some
// invited groups' rows, so an empty list proves nothing there). What is skipped is exactly the
// shares of groups without members, which grant nothing; the event sync learns those from GitLab
// when such a group gains a member (sync/scoped_reader.cpp). docs/gitlab-graphql.md "Group shares"
// gives the sources.

#include <optional>

#include "core/error.hpp"
#include "core/snapshot.hpp"
#include "gitlab/client.hpp"
#include "sync/members_reader.hpp"

namespace provisio::sync {

// Reads the shares of every group of s.groups_in_scope whose shares are not known yet, and says
// how in s.shares_read_by. A GraphQL that cannot answer only means every group is read over REST;
// `graphql_error`, when given, gets why it could not.
Status read_group_shares(gitlab::Client& client, Snapshot& s, MembersApi api,
                         std::optional<Error>* graphql_error = nullptr);

}  // namespace provisio::sync
