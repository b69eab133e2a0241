#pragma once
// The world file: JSON, written by `gitlab-sim generate` and read by `gitlab-sim serve`.
//
// {
//   "format": 1,
//   "users":    [{"id","username","name","state","bot","is_admin","email","public_email",
//                 "created_at"}],
//   "groups":   [{"id","name","path","parent_id","visibility","description","created_at"}],
//   "projects": [{"id","name","path","namespace_id","visibility","archived","description",
//                 "created_at"}],
//   "custom_roles": [{"id","name","description","group_id","base_access_level",
//                     "permissions":{"read_code":true,...}}],
//   "group_members":   [{"group_id":1,   "members":[[user_id, access_level, expires_at|null,
//                                                   member_role_id|null, created_at?,
//                                                   created_by?], ...]}],
//   "project_members": [{"project_id":1, "members":[...same rows...]}],
//   "group_shares":   [{"shared_group_id","invited_group_id","group_access_level","expires_at"}],
//   "project_shares": [{"project_id","group_id","group_access_level","expires_at"}],
//   "tokens": [{"id","name","description","token","user_id","scopes","revoked","expires_at",
//               "created_at","last_used_at"}],
//   "oauth_applications": [{"id","name","client_id","client_secret","redirect_uris","scopes",
//                           "confidential"}]
// }
// Member rows are arrays because the L world holds about a million of them. A row's created_at
// defaults to its group's or project's, created_by to none. Every other field but ids has a
// default, so hand-written test worlds stay short. The writer emits keys in this order and
// entities by id, so the same world gives the same bytes.

#include <string>

#include "core/error.hpp"
#include "world.hpp"

namespace provisio::sim {

// kInvalidArgument with a message naming the problem when the text is not a valid world
// (malformed JSON, a missing id, a member of an unknown group, ...).
Result<World> parse_world(const std::string& text);
Result<World> read_world_file(const std::string& path);

std::string write_world(const World& world);
Status write_world_file(const World& world, const std::string& path);

}  // namespace provisio::sim
