#pragma once
// Small GitLab worlds written by hand for the rule tests: a snapshot built line by line.

#include "core/snapshot.hpp"

namespace provisio::testing {

class WorldBuilder {
 public:
  WorldBuilder() { s_.today = "2026-11-28"; }

  // A group in scope (a root when parent is 0); outside the allowed roots when outside is true.
  WorldBuilder& group(gl::Id id, const std::string& full_path, gl::Id parent = 0,
                      bool outside = false) {
    gl::Group g;
    g.id = id;
    g.full_path = full_path;
    g.path = full_path.substr(full_path.rfind('/') + 1);
    g.name = g.path;
    if (parent != 0) g.parent_id = parent;
    g.shares_known = true;
    s_.groups[id] = g;
    if (!outside) {
      s_.groups_in_scope.insert(id);
      if (parent == 0) s_.roots.push_back(id);
    }
    return *this;
  }

  WorldBuilder& member(gl::Id group, gl::Id user, int level,
                       std::optional<gl::Date> expires = std::nullopt,
                       std::optional<gl::CustomRoleRef> role = std::nullopt,
                       const std::string& state = "active") {
    s_.group_members[group].push_back(make_member(user, level, expires, role, state));
    return *this;
  }

  WorldBuilder& project(gl::Id id, gl::Id namespace_group, const std::string& path,
                        const std::string& visibility = "private") {
    gl::Project p;
    p.id = id;
    p.name = path;
    p.namespace_id = namespace_group;
    p.namespace_kind = "group";
    p.namespace_full_path = s_.groups.at(namespace_group).full_path;
    p.path_with_namespace = p.namespace_full_path + "/" + path;
    p.visibility = visibility;
    s_.projects[id] = p;
    return *this;
  }

  WorldBuilder& project_member(gl::Id project, gl::Id user, int level,
                               std::optional<gl::CustomRoleRef> role = std::nullopt) {
    s_.project_members[project].push_back(make_member(user, level, std::nullopt, role, "active"));
    return *this;
  }

  WorldBuilder& share_group(gl::Id into, gl::Id invited, int cap,
                            std::optional<gl::Date> expires = std::nullopt) {
    s_.groups.at(into).shared_with_groups.push_back(
        {invited, s_.groups.at(invited).full_path, cap, expires});
    return *this;
  }

  WorldBuilder& share_project(gl::Id project, gl::Id invited, int cap) {
    s_.projects.at(project).shared_with_groups.push_back(
        {invited, s_.groups.at(invited).full_path, cap, std::nullopt});
    return *this;
  }

  WorldBuilder& user(gl::Id id, const std::string& username, bool bot = false,
                     std::optional<std::string> email = std::nullopt) {
    gl::User u;
    u.id = id;
    u.username = username;
    u.name = username;
    u.bot = bot;
    u.email = email;
    s_.users[id] = u;
    return *this;
  }

  Snapshot& snapshot() { return s_; }

 private:
  static gl::Member make_member(gl::Id user, int level, std::optional<gl::Date> expires,
                                std::optional<gl::CustomRoleRef> role, const std::string& state) {
    gl::Member m;
    m.user_id = user;
    m.username = "user" + std::to_string(user);
    m.name = "User " + std::to_string(user);
    m.state = state;
    m.access_level = level;
    m.expires_at = std::move(expires);
    m.member_role = std::move(role);
    return m;
  }

  Snapshot s_;
};

}  // namespace provisio::testing
