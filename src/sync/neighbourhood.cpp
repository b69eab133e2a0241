#include "sync/neighbourhood.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

namespace provisio::sync {

// Reads `first` and its ancestors into the snapshot (those not read yet); returns their ids,
// nearest first.
Result<std::vector<gl::Id>> read_chain(gitlab::Client& client, Snapshot& s, gl::Group first) {
  std::vector<gl::Id> chain;
  std::optional<gl::Group> next = std::move(first);
  while (next) {
    const gl::Id id = next->id;
    const std::optional<gl::Id> parent = next->parent_id;
    chain.push_back(id);
    s.groups[id] = std::move(*next);
    next.reset();
    if (!parent || s.groups.count(*parent) != 0) break;
    auto read = client.group(std::to_string(*parent));
    if (!read) return tl::unexpected(read.error());
    next = std::move(*read);
  }
  return chain;
}

// Marks in scope every group read whose root is one of the allowed root groups (by its full
// path's first segment, compared ignoring case as GitLab resolves paths and as the full sync's
// read of each allowed root does): the project's own chain, and invited groups from inside.
bool under_allowed_root(const std::string& full_path,
                        const std::vector<std::string>& allowed_roots) {
  const auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  };
  const std::string_view root = std::string_view(full_path).substr(0, full_path.find('/'));
  return std::any_of(allowed_roots.begin(), allowed_roots.end(),
                     [&](const std::string& slug) { return same(slug, root); });
}

void mark_scope(Snapshot& s, const std::vector<std::string>& allowed_roots) {
  for (const auto& [id, g] : s.groups) {
    if (!under_allowed_root(g.full_path, allowed_roots)) continue;
    s.groups_in_scope.insert(id);
    if (!g.parent_id) s.roots.push_back(id);
  }
}

namespace {

// Reads the groups invited into the chain's groups (direct members only count) and those
// invited into the project (with their ancestors).
Status read_invited(gitlab::Client& client, Snapshot& s, const std::vector<gl::Id>& chain,
                    const gl::Project* project) {
  std::set<gl::Id> invited;
  for (const gl::Id id : chain) {
    for (const gl::Share& share : s.groups.at(id).shared_with_groups)
      invited.insert(share.group_id);
  }
  std::set<gl::Id> into_project;
  if (project != nullptr) {
    for (const gl::Share& share : project->shared_with_groups) into_project.insert(share.group_id);
  }
  std::vector<gl::Id> to_read;
  for (const gl::Id id : invited) {
    if (s.groups.count(id) == 0) to_read.push_back(id);
  }
  for (const gl::Id id : into_project) {
    if (s.groups.count(id) == 0 && invited.count(id) == 0) to_read.push_back(id);
  }
  auto read = client.groups(to_read);
  if (!read) return tl::unexpected(read.error());
  for (auto& [id, g] : *read) s.groups[id] = std::move(g);
  for (const gl::Id id : into_project) {
    const auto& g = s.groups.at(id);
    if (!g.parent_id || s.groups.count(*g.parent_id) != 0) continue;
    auto parent = client.group(std::to_string(*g.parent_id));
    if (!parent) return tl::unexpected(parent.error());
    if (auto chain_up = read_chain(client, s, std::move(*parent)); !chain_up) {
      return tl::unexpected(chain_up.error());
    }
  }
  return {};
}

// The user's details and direct memberships of every group read (and of the project).
Status read_user_side(gitlab::Client& client, Snapshot& s, gl::Id user,
                      const gl::Project* project) {
  auto details = client.user(user);
  if (details) {
    s.users[user] = std::move(*details);
  } else if (details.error().code != ErrorCode::kNotFound) {
    return tl::unexpected(details.error());
  }
  std::vector<gl::Id> groups;
  for (const auto& [id, g] : s.groups) groups.push_back(id);
  auto memberships = client.group_memberships_of(groups, user);
  if (!memberships) return tl::unexpected(memberships.error());
  for (auto& [id, m] : *memberships) s.group_members[id].push_back(std::move(m));
  if (project != nullptr) {
    auto own = client.project_membership_of(project->id, user);
    if (!own) return tl::unexpected(own.error());
    if (*own) s.project_members[project->id].push_back(std::move(**own));
  }
  return {};
}

}  // namespace

Result<Snapshot> read_project_neighbourhood(gitlab::Client& client, gl::Id project, gl::Id user,
                                            const std::vector<std::string>& allowed_roots,
                                            const gl::Date& today) {
  Snapshot s;
  s.today = today;
  auto p = client.project(project);
  if (!p) return tl::unexpected(p.error());
  std::vector<gl::Id> chain;
  if (p->namespace_kind == "group" && p->namespace_id != 0) {
    auto ns = client.group(std::to_string(p->namespace_id));
    if (!ns) return tl::unexpected(ns.error());
    auto read = read_chain(client, s, std::move(*ns));
    if (!read) return tl::unexpected(read.error());
    chain = std::move(*read);
  }
  if (auto invited = read_invited(client, s, chain, &*p); !invited) {
    return tl::unexpected(invited.error());
  }
  mark_scope(s, allowed_roots);
  const gl::Id id = p->id;
  s.projects[id] = std::move(*p);
  if (auto side = read_user_side(client, s, user, &s.projects.at(id)); !side) {
    return tl::unexpected(side.error());
  }
  s.gitlab_requests = client.counters().total_requests();
  return s;
}

Result<Snapshot> read_group_neighbourhood(gitlab::Client& client, const std::string& group,
                                          gl::Id user,
                                          const std::vector<std::string>& allowed_roots,
                                          const gl::Date& today) {
  Snapshot s;
  s.today = today;
  auto g = client.group(group);
  if (!g) return tl::unexpected(g.error());
  auto chain = read_chain(client, s, std::move(*g));
  if (!chain) return tl::unexpected(chain.error());
  if (auto invited = read_invited(client, s, *chain, nullptr); !invited) {
    return tl::unexpected(invited.error());
  }
  mark_scope(s, allowed_roots);
  if (auto side = read_user_side(client, s, user, nullptr); !side) {
    return tl::unexpected(side.error());
  }
  s.gitlab_requests = client.counters().total_requests();
  return s;
}

}  // namespace provisio::sync
