#include "core/login_rules.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace provisio {
namespace {

bool same_letter(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

bool path_within(std::string_view path, std::string_view root) {
  if (root.empty() || path.size() < root.size()) return false;
  if (!std::equal(root.begin(), root.end(), path.begin(), same_letter)) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

bool any_within(const std::vector<std::string>& user_groups,
                const std::vector<std::string>& roots) {
  return std::any_of(user_groups.begin(), user_groups.end(), [&](const std::string& path) {
    return std::any_of(roots.begin(), roots.end(),
                       [&](const std::string& root) { return path_within(path, root); });
  });
}

std::optional<std::string> allowlist_refusal(const std::vector<std::string>& user_groups,
                                             const std::set<std::string>& allowed_roots) {
  if (allowed_roots.empty()) return std::nullopt;
  if (any_within(user_groups, {allowed_roots.begin(), allowed_roots.end()})) return std::nullopt;
  return "You are not a member of any GitLab group allowed to sign in here (" +
         joined(allowed_roots) + "). Ask your administrator for access.";
}

JitMemberships jit_memberships(const std::vector<std::string>& user_groups,
                               const std::vector<Group>& groups, const std::set<GroupId>& current,
                               const JitGroupRules& rules) {
  const std::vector<std::string> roots(rules.allowed_roots.begin(), rules.allowed_roots.end());
  std::vector<std::string> inside, outside;
  for (const std::string& path : user_groups) {
    (roots.empty() || any_within({path}, roots) ? inside : outside).push_back(path);
  }
  const auto named_by = [](const std::vector<std::string>& paths, const std::string& name) {
    return std::any_of(paths.begin(), paths.end(), [&](const std::string& path) {
      return name.size() >= path.size() && name.compare(0, path.size(), path) == 0 &&
             (name.size() == path.size() || name[path.size()] == '/');
    });
  };
  JitMemberships out;
  for (const Group& g : groups) {
    if (g.is_default) continue;
    const bool member = current.count(g.id) != 0;
    const bool wanted = named_by(inside, g.name);
    if (!member && !wanted && named_by(outside, g.name)) {
      out.refused.push_back(
          {g.id, g.name, true, "the GitLab group of that name lies outside the allowed groups"});
      continue;
    }
    if (member == wanted) continue;
    const bool privileged =
        rules.privileged.count(g.id) != 0 && rules.managed_privileged.count(g.name) == 0;
    if (privileged) {
      out.refused.push_back(
          {g.id, g.name, wanted,
           "the group holds a global administrative permission, and Just-in-Time provisioning "
           "may only manage such a group when it is listed in the setting \"JIT may manage "
           "these privileged groups\""});
      continue;
    }
    (wanted ? out.join : out.leave).push_back(g.id);
  }
  return out;
}

bool is_administrative_permission(std::string_view p) {
  return p == "admin" || p == "gateadmin" || p == "profileadmin" || p == "provisioning";
}

std::set<GroupId> managed_groups_of(const std::vector<gl::Group>& listed,
                                    const std::vector<Group>& managed) {
  std::unordered_map<std::string, const Group*> by_gitlab_id;
  for (const Group& g : managed) {
    if (g.managed && g.external_id) by_gitlab_id.emplace(*g.external_id, &g);
  }
  std::vector<std::string> roots;
  for (const gl::Group& l : listed) {
    const auto it = by_gitlab_id.find(std::to_string(l.id));
    if (it != by_gitlab_id.end()) roots.push_back(it->second->name);
  }
  std::set<GroupId> out;
  for (const Group& g : managed) {
    if (g.managed && !g.is_default && any_within({g.name}, roots)) out.insert(g.id);
  }
  return out;
}

bool reached_through_share(const std::vector<gl::Share>& shares,
                           const std::vector<std::string>& user_groups, const gl::Date& today) {
  return std::any_of(shares.begin(), shares.end(), [&](const gl::Share& s) {
    // The same test as the full sync's (effective_access.cpp): a share counts until its date.
    const bool expired = s.expires_at && *s.expires_at <= today;
    return !expired && s.group_access_level >= static_cast<int>(AccessLevel::kGuest) &&
           any_within({s.group_full_path}, user_groups);
  });
}

std::vector<const Group*> managed_ancestors(const Group& group, const std::vector<Group>& managed) {
  std::vector<const Group*> out;
  for (const Group& g : managed) {
    if (g.id != group.id && g.managed && path_within(group.name, g.name)) out.push_back(&g);
  }
  return out;
}

}  // namespace provisio
