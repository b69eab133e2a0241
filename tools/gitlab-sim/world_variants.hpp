#pragma once
// Variants of a world for comparisons: the same world without its custom roles (every
// membership keeps its level, none keeps a role), the world where GitLab's GraphQL API can
// answer every member list exactly (docs/gitlab-graphql.md). `gitlab-sim generate
// --without-custom-roles` writes it.

#include "core/error.hpp"
#include "world.hpp"

namespace provisio::sim {

Result<World> without_custom_roles(const World& world);

}  // namespace provisio::sim
