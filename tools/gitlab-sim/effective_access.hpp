#pragma once
// Who has access to a group or a project, and at which level, as GitLab's `/members/all`
// computes it (GroupMembersFinder / ProjectMembersFinder with the relations the REST API asks
// for). Pure functions over a World; the rules, in the order they are applied:
//
// Group G:   direct members of G; direct members of each ancestor of G (inherited); the direct
//            members of every group invited into G or into an ancestor of G (shared), their level
//            capped at the share's level.
// Project P: direct members of P; direct members of P's group and its ancestors (inherited);
//            the direct members of every group invited into P's group or an ancestor, capped;
//            members of every group P is shared with AND of that group's ancestors, capped.
// Always:    memberships and shares whose expires_at is today or earlier are ignored (access
//            ends on the expiry date); Minimal Access (5) counts only on the group where it was
//            granted, never inherited or through a share; when a user is reached by several
//            paths the highest level wins, ties going to the first path in the order above.
// Blocked users are kept (their state shows in the row), as GitLab lists them.

#include <string_view>
#include <vector>

#include "world.hpp"

namespace provisio::sim {

struct EffectiveMember {
  Id user_id = 0;
  int access_level = 0;
  const Member* membership = nullptr;  // the row that grants it: dates, custom role, creator
  bool direct = false;                 // a direct membership of the source itself
  bool capped = false;                 // a share lowered the level
};

// Sorted by user id. `today` is YYYY-MM-DD. REQUIRES: the source exists. The pointers live as
// long as the World is not mutated.
std::vector<EffectiveMember> effective_members(const World& world, SourceKind kind, Id source_id,
                                               std::string_view today);

// The user's effective membership of the source, or an access_level of 0 when none.
EffectiveMember effective_member(const World& world, SourceKind kind, Id source_id, Id user_id,
                                 std::string_view today);

// True when a membership or share with this expiry no longer counts.
bool is_expired(const std::optional<std::string>& expires_at, std::string_view today);

}  // namespace provisio::sim
