#pragma once
// The details of groups, 100 per GraphQL request (`groups(ids:)`): id, name, path, full path,
// visibility and parent, what a group invited from outside the allowed groups is read for, without
// GET /groups/:id's one request per group (400 a minute on GitLab.com). Not its shares: GitLab
// lists those only in GET /groups/:id, so a group read here has shares_known false.
//
// Threading: one thread (the client's).

#include <map>
#include <vector>

#include "core/error.hpp"
#include "core/gitlab_types.hpp"
#include "gitlab/client.hpp"

namespace provisio::gitlab {

// The groups GraphQL answered for (one it does not show, a node it answers without an id, or the
// groups of a request that failed, are left out: read them over REST). Fails when no request was
// answered with data.
Result<std::map<gl::Id, gl::Group>> read_group_details_graphql(Client& client,
                                                               const std::vector<gl::Id>& groups);

}  // namespace provisio::gitlab
