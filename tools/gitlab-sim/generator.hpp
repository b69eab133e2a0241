#pragma once
// The deterministic world generator: the same options give the same world (and, written with
// write_world, the same bytes). The reference worlds S, M and L of shared/spec/targets.md are
// presets. Every world holds:
//
//   roots       `acme` (1) and `umbrella` (2), meant as the allowed roots, and `outside` (3),
//               the root that is not allowed; every other group lies below one of them
//   root        user 1, administrator; token `sim-admin-token` (read_api) and
//               `sim-admin-sudo-token` (api, sudo)
//   provisioner user 2, Owner of acme and umbrella; tokens `sim-owner-token` (read_api),
//               `sim-readuser-token` (read_user only), `sim-expired-token` (expired),
//               `sim-revoked-token` (revoked)
//   blocked     a blocked user with token `sim-blocked-token` (read_api)
//   a custom role "Security Auditor" (instance role, base Reporter) held by some members
//   an OAuth application: client_id `sim-client-id`, secret `sim-client-secret`, redirect URIs
//               http://127.0.0.1:*/oauth2/callback/gitlab and http://localhost:*/...
//
// Shapes: the "small" shape (S) gives roots a few dozen members, subgroups ~10 and projects up to
// 8, and a handful of shares, some from `outside` into the allowed roots; the "large" shape (M,
// L) makes every user a direct member of `acme`, gives subgroups ~15 members and projects up to
// 100 (most have a few), and invites 10% of groups and of projects into others. Memberships
// mix every level (Minimal Access on roots only, Planner included); about 1% are expired and
// 2% expire in the future; bots (project access tokens' users and service accounts, flagged
// `bot`) and blocked users are spread among the users.

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "world.hpp"

namespace provisio::sim {

struct GeneratorOptions {
  std::int64_t users = 500;
  std::int64_t groups = 50;  // including the three roots
  int depth = 3;             // levels of groups, roots included
  std::int64_t projects = 200;
  std::uint64_t seed = 1;
  bool large_shape = false;
};

// The options of a preset "S", "M" or "L"; nothing for another name.
std::optional<GeneratorOptions> preset(const std::string& name);

// kInvalidArgument when the options cannot make a world (fewer than 3 groups, 4 users, depth
// below 1).
Result<World> generate_world(const GeneratorOptions& options);

}  // namespace provisio::sim
