#pragma once
// Which groups no invited group's member reaches, learned for many groups per GraphQL request, so
// that the full sync reads a group's shares (GET /groups/:id, one request per group and 400 a
// minute on GitLab.com) only where there are any to read (docs/gitlab-graphql.md "Group shares").
//
// Per group, in aliases of `groups(ids:)`:
//
//   groupMembers(relations: [SHARED_FROM_GROUPS], first: 1)
//     { nodes { accessLevel { integerValue } } pageInfo { hasNextPage } }
//
// a member of a group invited into the group or one of its ancestors, if there is one
// (GroupMembersFinder: Group.shared_into_ancestors). What the caller may conclude is its own
// (sync/group_shares_reader.cpp): asked by an administrator, an empty list means that no share
// into the group gives anyone access.
//
// Threading: one thread (the client's).

#include <cstdint>
#include <map>
#include <vector>

#include "core/error.hpp"
#include "core/gitlab_types.hpp"
#include "gitlab/client.hpp"
#include "gitlab/graphql_query.hpp"

namespace provisio::gitlab {

struct SharedMembersAnswer {
  bool shared_members = true;  // a member of an invited group is listed (or a next page is)
};

struct SharedMembersProbe {
  std::map<gl::Id, SharedMembersAnswer> groups;  // the groups GraphQL answered for
  std::int64_t requests = 0;                     // POSTs to /api/graphql
};

// Asks for `groups`, as many per request as GitLab's complexity limit allows (a query refused
// for its complexity is split and asked again). A group GraphQL does not answer is left out of
// the result. Fails only when the GraphQL API cannot be used at all (see read_members_graphql).
Result<SharedMembersProbe> probe_shared_members(
    Client& client, const std::vector<gl::Id>& groups,
    int complexity_limit = graphql::kAuthenticatedMaxComplexity);

}  // namespace provisio::gitlab
