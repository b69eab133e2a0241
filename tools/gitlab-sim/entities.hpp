#pragma once
// The JSON bodies GitLab answers with, one function per entity, with exactly the keys of the
// examples in shared/gitlab-api/examples/ (which keys appear for whom is said at each function).
// Keys come out in the order GitLab documents them.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "effective_access.hpp"
#include "visibility.hpp"
#include "world.hpp"

namespace provisio::sim {

using nlohmann::ordered_json;

struct RenderContext {
  const World& world;
  std::string base_url;  // "http://127.0.0.1:PORT": the instance's external URL
  std::string_view today;
  bool admin = false;  // the caller is an administrator
  // Who asks: GitLab lists in `shared_with_groups` only the invited groups the caller may read
  // (Group#shared_with_group_links_visible_to_user, Project#visible_group_links).
  Viewer viewer{};
};

// GET /users list rows for non-admins (users_list.json); admins get user_admin().
ordered_json user_basic(const RenderContext& ctx, const User& user);
// GET /users/:id for non-admins (users_id.json).
ordered_json user_public(const RenderContext& ctx, const User& user);
// GET /users/:id and list rows for admins (users_id_admin.json, plus `bot`).
ordered_json user_admin(const RenderContext& ctx, const User& user);
// GET /user: the caller itself (user.json; admins also get the admin-only keys).
ordered_json user_self(const RenderContext& ctx, const User& user);

// A member row (groups_id_members.json): `email` only for admins; `created_by` omitted when
// unknown; `member_role` only for a custom role. `access_level` is the level to show (the
// effective one for /members/all).
ordered_json member_json(const RenderContext& ctx, const User& user, const Member& membership,
                         int access_level, bool show_member_role);

// A group in lists: subgroups, descendant_groups, /groups (groups_id_descendant_groups.json;
// `repository_storage` for admins, as in groups_id_subgroups.json).
ordered_json group_list_json(const RenderContext& ctx, const Group& group);
// GET /groups/:id (groups_id.json). `runners_token` for owners and admins;
// `repository_storage` for admins; projects and shared_projects unless with_projects=false.
ordered_json group_detail_json(const RenderContext& ctx, const Group& group, bool show_owner_keys,
                               const std::vector<const Project*>* projects,
                               const std::vector<const Project*>* shared_projects);

// A project in lists (groups_id_projects.json, plus container_registry_enabled as in the
// `projects` of groups_id.json).
ordered_json project_list_json(const RenderContext& ctx, const Project& project);
// `simple=true` rows (GitLab's BasicProjectDetails).
ordered_json project_simple_json(const RenderContext& ctx, const Project& project);
// GET /projects/:id (projects_id.json); `license`/`license_url` with license=true,
// `statistics` with statistics=true; `permissions` holds the caller's own access (0 = null).
ordered_json project_detail_json(const RenderContext& ctx, const Project& project,
                                 int project_access, int group_access, bool license,
                                 bool statistics);

ordered_json custom_role_json(const CustomRole& role);
// `active` is false once revoked or expired.
ordered_json token_json(const Token& token, std::string_view today);

// {id, name, path, kind, full_path, parent_id, avatar_url, web_url} of a group namespace.
ordered_json namespace_json(const RenderContext& ctx, const Group& group, bool full);

}  // namespace provisio::sim
