#include "effective_access.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace provisio::sim {
namespace {

constexpr int kNoCap = std::numeric_limits<int>::max();

// One place members come from, in the order of precedence of the header.
struct Grant {
  SourceKind kind = SourceKind::kGroup;
  Id source_id = 0;
  int cap = kNoCap;
  bool minimal_counts = false;  // only on the group itself
  bool direct = false;
};

void add_group_and_shares(const World& world, Id group_id, bool is_target,
                          std::vector<Grant>& grants, std::vector<Grant>& shared,
                          std::string_view today) {
  grants.push_back({SourceKind::kGroup, group_id, kNoCap, is_target, is_target});
  for (const GroupShare* share : world.shares_into_group(group_id)) {
    if (is_expired(share->expires_at, today)) continue;
    shared.push_back({SourceKind::kGroup, share->invited_group_id, share->group_access_level});
  }
}

std::vector<Grant> grants_for(const World& world, SourceKind kind, Id source_id,
                              std::string_view today) {
  std::vector<Grant> grants;
  std::vector<Grant> shared;
  Id group_id = source_id;
  if (kind == SourceKind::kProject) {
    grants.push_back({SourceKind::kProject, source_id, kNoCap, false, true});
    group_id = world.project(source_id)->namespace_id;
  }
  add_group_and_shares(world, group_id, kind == SourceKind::kGroup, grants, shared, today);
  for (Id ancestor : world.ancestors(group_id)) {
    add_group_and_shares(world, ancestor, false, grants, shared, today);
  }
  if (kind == SourceKind::kProject) {
    for (const ProjectShare* share : world.shares_of_project(source_id)) {
      if (is_expired(share->expires_at, today)) continue;
      shared.push_back({SourceKind::kGroup, share->group_id, share->group_access_level});
      for (Id ancestor : world.ancestors(share->group_id)) {
        shared.push_back({SourceKind::kGroup, ancestor, share->group_access_level});
      }
    }
  }
  grants.insert(grants.end(), shared.begin(), shared.end());
  return grants;
}

// The level this membership gives through this grant; 0 when it gives nothing.
int level_through(const Grant& grant, const Member& m, std::string_view today) {
  if (is_expired(m.expires_at, today)) return 0;
  if (m.access_level == kMinimalAccess && !grant.minimal_counts) return 0;
  return std::min(m.access_level, grant.cap);
}

EffectiveMember make(const Grant& grant, const Member& m, int level) {
  return {m.user_id, level, &m, grant.direct, level < m.access_level};
}

}  // namespace

bool is_expired(const std::optional<std::string>& expires_at, std::string_view today) {
  // Dates are YYYY-MM-DD, so text order is date order.
  return expires_at.has_value() && !expires_at->empty() && std::string_view(*expires_at) <= today;
}

std::vector<EffectiveMember> effective_members(const World& world, SourceKind kind, Id source_id,
                                               std::string_view today) {
  std::unordered_map<Id, EffectiveMember> best;
  for (const Grant& grant : grants_for(world, kind, source_id, today)) {
    for (const Member& m : world.members(grant.kind, grant.source_id)) {
      const int level = level_through(grant, m, today);
      if (level == 0) continue;
      auto [it, inserted] = best.try_emplace(m.user_id, make(grant, m, level));
      if (!inserted && level > it->second.access_level) it->second = make(grant, m, level);
    }
  }
  std::vector<EffectiveMember> out;
  out.reserve(best.size());
  for (auto& [id, member] : best) out.push_back(member);
  std::sort(out.begin(), out.end(), [](const EffectiveMember& a, const EffectiveMember& b) {
    return a.user_id < b.user_id;
  });
  return out;
}

EffectiveMember effective_member(const World& world, SourceKind kind, Id source_id, Id user_id,
                                 std::string_view today) {
  EffectiveMember found{user_id, 0};
  for (const Grant& grant : grants_for(world, kind, source_id, today)) {
    const Member* m = world.member(grant.kind, grant.source_id, user_id);
    if (m == nullptr) continue;
    const int level = level_through(grant, *m, today);
    if (level > found.access_level) found = make(grant, *m, level);
  }
  return found;
}

}  // namespace provisio::sim
