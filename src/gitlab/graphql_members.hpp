#pragma once
// Direct members of many groups or projects through GitLab's GraphQL API, many sources per
// request: `groups(ids:)` / `projects(ids:)` with each source's `groupMembers` /
// `projectMembers(relations: [DIRECT])` nested, several such fields (aliases) in one query as
// long as the query stays under GitLab's complexity limit (graphql_query.hpp scores it before it
// is sent). A source with more than a page of members is followed with its cursor, several
// sources' next pages in one request. A query GitLab refuses for its complexity or its size is
// split and retried (fewer sources per field, then smaller pages), never a failed read.
//
// What GraphQL answers is exact for what it carries: the user (id, username, name, state), the
// access level, the expiry date. It carries no custom role and no awaiting state: the caller
// decides which sources need REST (sync/snapshot_reader, docs/gitlab-graphql.md).
//
// Threading: one thread (the client's).

#include <functional>
#include <map>
#include <vector>

#include "core/error.hpp"
#include "core/gitlab_types.hpp"
#include "gitlab/client.hpp"

namespace provisio::gitlab {

enum class MemberSource { kGroup, kProject };

struct GraphqlMembersOptions {
  int complexity_limit = 250;   // per request; lowered to what GitLab says when it refuses one
  int sources_per_field = 100;  // ids in one groups(ids:) / projects(ids:)
  // False for a member GraphQL cannot describe exactly (see above): its source is given up
  // (its next pages are not read) and listed as inexact. Null: every member is.
  std::function<bool(MemberSource, gl::Id source, const gl::Member&)> exact;
};

struct GraphqlMembers {
  std::map<gl::Id, std::vector<gl::Member>> groups;    // by group, sorted by user id
  std::map<gl::Id, std::vector<gl::Member>> projects;  // by project, sorted by user id
  // Sources GraphQL did not answer (absent from its answer, or an error on them): read them over
  // REST, which says why when it cannot either.
  std::vector<gl::Id> unanswered_groups;
  std::vector<gl::Id> unanswered_projects;
  // Sources with a member `exact` refused: read them over REST.
  std::vector<gl::Id> inexact_groups;
  std::vector<gl::Id> inexact_projects;
  std::int64_t requests = 0;  // POSTs to /api/graphql this read made
};

// Reads the direct members of `groups` and `projects`. Fails only when GitLab's GraphQL API
// cannot be used at all: not there (404), the token refused (401/403), or an answer that is not
// GraphQL's; the caller then reads over REST.
Result<GraphqlMembers> read_members_graphql(Client& client, const std::vector<gl::Id>& groups,
                                            const std::vector<gl::Id>& projects,
                                            const GraphqlMembersOptions& options = {});

// "gid://gitlab/User/12" -> 12; nullopt when it is not such an id.
std::optional<gl::Id> id_of_gid(const nlohmann::json& gid);

}  // namespace provisio::gitlab
