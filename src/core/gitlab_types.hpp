#pragma once
// GitLab's view of the world, as the sync and the login read it: plain structs filled by the
// GitLab client (gitlab/json_mapping) from the REST API's JSON, and read by the pure rules
// (effective access, desired state). Only the fields the rules use are kept.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/access_level.hpp"

namespace provisio::gl {

using Id = std::int64_t;

// A calendar date as GitLab writes it ("2026-11-28"); compared as text, which orders correctly.
using Date = std::string;

struct User {
  Id id = 0;
  std::string username;
  std::string name;
  std::string state = "active";  // active, blocked, ldap_blocked, banned, deactivated, ...
  bool bot = false;
  std::optional<std::string> email;         // only when the token may see it
  std::optional<std::string> public_email;  // may be empty
  bool is_admin = false;                    // present for the current user or to admins
};

struct CustomRoleRef {
  Id id = 0;
  std::string name;
  int base_access_level = 0;
};

// A direct membership, as /groups/:id/members and /projects/:id/members list it.
struct Member {
  Id user_id = 0;
  std::string username;
  std::string name;
  std::string state = "active";  // the user's state
  int access_level = 0;          // Gitlab::Access value; may be one we do not model (60)
  std::optional<Date> expires_at;
  std::optional<CustomRoleRef> member_role;
  std::optional<std::string> email;         // admins only
  std::string membership_state = "active";  // "awaiting" members do not count
};

// A group invited into a group or a project, with the share's cap.
struct Share {
  Id group_id = 0;
  std::string group_full_path;
  int group_access_level = 0;
  std::optional<Date> expires_at;
};

struct Group {
  Id id = 0;
  std::string name;
  std::string path;
  std::string full_path;
  std::optional<Id> parent_id;
  std::string visibility = "private";
  std::vector<Share> shared_with_groups;  // only from GET /groups/:id
  bool shares_known = false;              // true when shared_with_groups was read (not a list item)
};

struct Project {
  Id id = 0;
  std::string name;
  std::string path_with_namespace;
  Id namespace_id = 0;
  std::string namespace_kind = "group";  // "group" or "user"
  std::string namespace_full_path;
  std::string visibility = "private";
  bool archived = false;
  std::vector<Share> shared_with_groups;
};

struct CustomRole {
  Id id = 0;
  std::string name;
  std::optional<Id> group_id;
  int base_access_level = 0;
};

// GET /personal_access_tokens/self
struct TokenInfo {
  Id id = 0;
  std::string name;
  bool revoked = false;
  bool active = true;
  std::vector<std::string> scopes;
  Id user_id = 0;
  std::optional<Date> expires_at;
};

}  // namespace provisio::gl
