#pragma once
// The direct members of a snapshot's groups and projects, read over GraphQL where GraphQL
// answers exactly and over REST everywhere else (docs/gitlab-graphql.md):
//
//   1. One GraphQL request learns, per root group, the custom roles in use and the users
//      awaiting a seat (gitlab/graphql_screen.hpp). Sources under a root where either is
//      unknown are read over REST.
//   2. The other sources are read in batches over GraphQL (gitlab/graphql_members.hpp). A source
//      with a member at a custom role's base level, or a member awaiting a seat, is read again
//      over REST (only REST says which role, and whether the membership is active); so is a
//      source GraphQL did not answer.
//   3. With an administrator's token, REST's member lists carry each user's email: the users
//      list (GET /users) gives it for the members GraphQL read.
//
// GraphQL that is not there (404), a token it refuses (401/403) or answers it does not
// understand make the whole read go over REST, with the reason in Snapshot::members_read_by.
// With MembersApi::kRest, everything is read over REST, as before GraphQL was used.

#include <set>
#include <vector>

#include "core/error.hpp"
#include "core/snapshot.hpp"
#include "gitlab/client.hpp"

namespace provisio::sync {

enum class MembersApi {
  kGraphql,  // GraphQL where it is exact, REST elsewhere (the default)
  kRest,     // REST only
};

// "graphql" / "rest".
std::optional<MembersApi> parse_members_api(std::string_view text);

// Fills s.group_members (for `groups`) and s.project_members (for every project of s).
// `graphql_error`: what GraphQL answered earlier in the same read, when it could not be used
// (then it is not asked again).
Status read_members(gitlab::Client& client, Snapshot& s, const std::set<gl::Id>& groups,
                    MembersApi api, const std::optional<Error>& graphql_error = std::nullopt);

}  // namespace provisio::sync
