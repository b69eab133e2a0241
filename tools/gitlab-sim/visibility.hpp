#pragma once
// What a caller may see, as GitLab decides it. Private things a caller may not see answer 404,
// never 403 (GitLab does not reveal that they exist).
//
//   admin                 everything
//   public                everyone, even without a token
//   internal              any signed-in user
//   private group         a user with effective access to it (see effective_access.hpp, Minimal
//                         Access included), or a member of one of its subgroups or projects
//                         (GitLab lets them read the ancestors' names)
//   private project       a user with effective access of Guest or more
//
// "Authorized" groups (GitLab's `user.authorized_groups`, used by listings without
// all_available) are the groups where the user has effective access.

#include <string_view>

#include "world.hpp"

namespace provisio::sim {

struct Viewer {
  const User* user = nullptr;  // nullptr: anonymous
  bool admin() const { return user != nullptr && user->is_admin; }
};

bool can_see_group(const World& world, const Viewer& viewer, const Group& group,
                   std::string_view today);
bool can_see_project(const World& world, const Viewer& viewer, const Project& project,
                     std::string_view today);
// Effective access (Minimal Access included) of a signed-in user.
bool is_authorized_group(const World& world, const Viewer& viewer, const Group& group,
                         std::string_view today);

}  // namespace provisio::sim
