#pragma once
// The simulated GitLab instance as plain data: users, groups, projects, direct memberships,
// shares, custom roles, tokens and OAuth applications (the "world"), plus the indexes that make
// every request proportional to its page rather than to the world's size.
//
// Thread safety: none of its own. The Simulator guards a World with a shared_mutex: any number
// of readers, or one writer. Every mutation goes through the methods below, which keep the
// indexes in step.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace provisio::sim {

using Id = std::int64_t;

// GitLab's access levels (Gitlab::Access).
inline constexpr int kNoAccess = 0;
inline constexpr int kMinimalAccess = 5;
inline constexpr int kGuest = 10;
inline constexpr int kPlanner = 15;
inline constexpr int kReporter = 20;
inline constexpr int kDeveloper = 30;
inline constexpr int kMaintainer = 40;
inline constexpr int kOwner = 50;

// "Guest", "Maintainer", ...: the role names hooks carry instead of numbers.
std::string role_name(int access_level);
bool is_valid_access_level(int access_level);
bool is_valid_visibility(const std::string& visibility);

struct User {
  Id id = 0;
  std::string username;
  std::string name;
  std::string state = "active";  // active, blocked, ldap_blocked, banned, deactivated, ...
  bool bot = false;
  bool is_admin = false;
  std::string email;
  std::string public_email;  // may be empty
  std::string created_at;    // ISO 8601 timestamp
};

struct Group {
  Id id = 0;
  std::string name;
  std::string path;
  std::optional<Id> parent_id;
  std::string visibility = "private";
  std::string description;
  std::string created_at;
  std::string full_path;  // derived: parent's full_path + "/" + path
  std::string full_name;  // derived: "Parent / Child"
};

struct Project {
  Id id = 0;
  std::string name;
  std::string path;
  Id namespace_id = 0;  // always a group in the simulator
  std::string visibility = "private";
  bool archived = false;
  std::string description;
  std::string created_at;
  std::string path_with_namespace;  // derived
  std::string name_with_namespace;  // derived
};

// A direct membership of a user in a group or a project.
struct Member {
  Id user_id = 0;
  int access_level = kGuest;
  std::optional<std::string> expires_at;  // YYYY-MM-DD; expired when before "today"
  std::optional<Id> member_role_id;       // a custom role; access_level is its base level
  std::string created_at;
  std::optional<Id> created_by;
};

// The group `invited_group_id` was invited into (shared with) `shared_group_id`.
struct GroupShare {
  Id shared_group_id = 0;
  Id invited_group_id = 0;
  int group_access_level = kGuest;
  std::optional<std::string> expires_at;
};

// The group `group_id` was invited into the project `project_id`.
struct ProjectShare {
  Id project_id = 0;
  Id group_id = 0;
  int group_access_level = kGuest;
  std::optional<std::string> expires_at;
};

struct CustomRole {
  Id id = 0;
  std::string name;
  std::string description;
  std::optional<Id> group_id;  // the root group it belongs to; none for instance roles
  int base_access_level = kGuest;
  std::map<std::string, bool> permissions;  // read_code, admin_vulnerability, ...
};

struct Token {
  Id id = 0;
  std::string name;
  std::string description;
  std::string token;  // the secret the caller sends
  Id user_id = 0;
  std::vector<std::string> scopes;
  bool revoked = false;
  std::optional<std::string> expires_at;  // YYYY-MM-DD
  std::string created_at;
  std::optional<std::string> last_used_at;
};

struct OAuthApplication {
  Id id = 0;
  std::string name;
  std::string client_id;
  std::string client_secret;
  // Allowed redirect URIs; a '*' matches any run of characters (e.g. a port).
  std::vector<std::string> redirect_uris;
  std::vector<std::string> scopes;
  bool confidential = true;
};

// Where a membership list lives.
enum class SourceKind { kGroup, kProject };

class World {
 public:
  // Replaces the contents and builds every index. Derived fields (full paths) are recomputed.
  void assign(std::vector<User> users, std::vector<Group> groups, std::vector<Project> projects,
              std::vector<CustomRole> roles, std::map<Id, std::vector<Member>> group_members,
              std::map<Id, std::vector<Member>> project_members,
              std::vector<GroupShare> group_shares, std::vector<ProjectShare> project_shares,
              std::vector<Token> tokens, std::vector<OAuthApplication> applications);

  // --- lookups (nullptr when absent) ---
  const User* user(Id id) const;
  const User* user_by_username(const std::string& username) const;  // case-insensitive
  const Group* group(Id id) const;
  const Group* group_by_path(const std::string& full_path) const;  // case-insensitive
  const Project* project(Id id) const;
  const Project* project_by_path(const std::string& path_with_namespace) const;
  const CustomRole* custom_role(Id id) const;
  const Token* token_by_secret(const std::string& secret) const;
  const OAuthApplication* application_by_client_id(const std::string& client_id) const;

  // --- ordered collections ---
  const std::map<Id, User>& users() const { return users_; }
  const std::map<Id, Group>& groups() const { return groups_; }
  const std::map<Id, Project>& projects() const { return projects_; }
  const std::map<Id, CustomRole>& custom_roles() const { return roles_; }
  const std::vector<Token>& tokens() const { return tokens_; }
  const std::vector<OAuthApplication>& applications() const { return applications_; }
  const std::vector<GroupShare>& group_shares() const { return group_shares_; }
  const std::vector<ProjectShare>& project_shares() const { return project_shares_; }

  // --- indexes ---
  // Direct members sorted by user id (empty when none).
  const std::vector<Member>& members(SourceKind kind, Id source_id) const;
  // The direct membership of `user_id`, or nullptr.
  const Member* member(SourceKind kind, Id source_id, Id user_id) const;
  // Direct children sorted by id.
  const std::vector<Id>& children(Id group_id) const;
  // Projects whose namespace is the group, sorted by id.
  const std::vector<Id>& projects_in(Id group_id) const;
  // The group's ancestors, parent first (empty for a root).
  std::vector<Id> ancestors(Id group_id) const;
  // Every descendant group, depth-first in id order (not the group itself).
  std::vector<Id> descendants(Id group_id) const;
  // True when `ancestor` is `group_id` or one of its ancestors.
  bool is_self_or_ancestor(Id ancestor, Id group_id) const;
  // Shares into a group (the group is `shared_group_id`), and shares of an invited group.
  std::vector<const GroupShare*> shares_into_group(Id group_id) const;
  std::vector<const GroupShare*> shares_of_invited_group(Id group_id) const;
  // Shares of a project, and projects shared with a group.
  std::vector<const ProjectShare*> shares_of_project(Id project_id) const;
  std::vector<const ProjectShare*> project_shares_with_group(Id group_id) const;
  // The groups and projects where the user is a direct member, sorted by id.
  const std::vector<Id>& groups_of_user(Id user_id) const;
  const std::vector<Id>& projects_of_user(Id user_id) const;

  // --- mutations (the control API) ---
  // Adds or replaces the direct membership. False when the source or user is unknown.
  bool put_member(SourceKind kind, Id source_id, Member member);
  // False when there was no such membership.
  bool remove_member(SourceKind kind, Id source_id, Id user_id);
  bool set_user_state(Id user_id, const std::string& state);
  bool set_group_visibility(Id group_id, const std::string& visibility);
  bool set_project_visibility(Id project_id, const std::string& visibility);
  bool rename_group(Id group_id, const std::string& name, const std::string& path);
  // REQUIRES: new_parent is not the group or one of its descendants (false otherwise).
  bool move_group(Id group_id, std::optional<Id> new_parent);
  // Deletes the group with its subgroups, projects, memberships and shares.
  bool delete_group(Id group_id);
  bool rename_project(Id project_id, const std::string& name, const std::string& path);
  bool move_project(Id project_id, Id new_namespace);
  bool delete_project(Id project_id);
  bool revoke_token(const std::string& secret_or_id);
  // Changes a token's expiry date (nullopt: never expires) and/or scopes; false when unknown.
  bool update_token(const std::string& secret_or_id,
                    const std::optional<std::optional<std::string>>& expires_at,
                    const std::optional<std::vector<std::string>>& scopes);
  // Adds a token (e.g. an OAuth access token); its id must be unique.
  void add_token(Token token);

  // Bumped by every mutation: caches keyed by it are invalidated.
  std::uint64_t version() const { return version_; }

 private:
  void rebuild_paths();
  void rebuild_structure();
  void rebuild_member_index();

  std::map<Id, User> users_;
  std::map<Id, Group> groups_;
  std::map<Id, Project> projects_;
  std::map<Id, CustomRole> roles_;
  std::vector<Token> tokens_;
  std::vector<OAuthApplication> applications_;
  std::vector<GroupShare> group_shares_;
  std::vector<ProjectShare> project_shares_;
  std::unordered_map<Id, std::vector<Member>> group_members_;
  std::unordered_map<Id, std::vector<Member>> project_members_;

  std::unordered_map<std::string, Id> user_by_name_;     // lower-case username
  std::unordered_map<std::string, Id> group_by_path_;    // lower-case full path
  std::unordered_map<std::string, Id> project_by_path_;  // lower-case path with namespace
  std::unordered_map<std::string, std::size_t> token_by_secret_;
  std::unordered_map<Id, std::vector<Id>> children_;
  std::unordered_map<Id, std::vector<Id>> projects_in_;
  std::unordered_map<Id, std::vector<std::size_t>> shares_into_;  // into group_shares_
  std::unordered_map<Id, std::vector<std::size_t>> shares_of_invited_;
  std::unordered_map<Id, std::vector<std::size_t>> project_shares_of_;  // into project_shares_
  std::unordered_map<Id, std::vector<std::size_t>> project_shares_with_;
  std::unordered_map<Id, std::vector<Id>> groups_of_user_;
  std::unordered_map<Id, std::vector<Id>> projects_of_user_;
  std::uint64_t version_ = 0;
};

}  // namespace provisio::sim
