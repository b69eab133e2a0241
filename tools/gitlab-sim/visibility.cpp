#include "visibility.hpp"

#include "effective_access.hpp"

namespace provisio::sim {
namespace {

bool open_to(const Viewer& viewer, const std::string& visibility) {
  return visibility == "public" || (visibility == "internal" && viewer.user != nullptr) ||
         viewer.admin();
}

// A direct, unexpired membership in a descendant group or in a project below the group.
bool member_below(const World& world, const Viewer& viewer, Id group_id, std::string_view today) {
  const Id user_id = viewer.user->id;
  for (Id g : world.groups_of_user(user_id)) {
    const Member* m = world.member(SourceKind::kGroup, g, user_id);
    if (g != group_id && m && !is_expired(m->expires_at, today) &&
        world.is_self_or_ancestor(group_id, g)) {
      return true;
    }
  }
  for (Id p : world.projects_of_user(user_id)) {
    const Member* m = world.member(SourceKind::kProject, p, user_id);
    const Project* project = world.project(p);
    if (project && m && !is_expired(m->expires_at, today) &&
        world.is_self_or_ancestor(group_id, project->namespace_id)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool is_authorized_group(const World& world, const Viewer& viewer, const Group& group,
                         std::string_view today) {
  if (viewer.user == nullptr) return false;
  return effective_member(world, SourceKind::kGroup, group.id, viewer.user->id, today)
             .access_level > 0;
}

bool can_see_group(const World& world, const Viewer& viewer, const Group& group,
                   std::string_view today) {
  if (open_to(viewer, group.visibility)) return true;
  if (viewer.user == nullptr) return false;
  return is_authorized_group(world, viewer, group, today) ||
         member_below(world, viewer, group.id, today);
}

bool can_see_project(const World& world, const Viewer& viewer, const Project& project,
                     std::string_view today) {
  if (open_to(viewer, project.visibility)) return true;
  if (viewer.user == nullptr) return false;
  return effective_member(world, SourceKind::kProject, project.id, viewer.user->id, today)
             .access_level >= kGuest;
}

}  // namespace provisio::sim
