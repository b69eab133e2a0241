#include "sync/scoped_reader.hpp"

#include <map>
#include <utility>

#include "sync/neighbourhood.hpp"

namespace provisio::sync {
namespace {

std::vector<gl::Id> ids_of(const std::set<gl::Id>& ids) { return {ids.begin(), ids.end()}; }

bool is_not_found(const Error& e) { return e.code == ErrorCode::kNotFound; }

// Reads each group named that is not read yet, with its details (the groups shared into it).
Status read_groups(gitlab::Client& client, Snapshot& s, const std::set<gl::Id>& ids) {
  std::vector<gl::Id> missing;
  for (const gl::Id id : ids) {
    if (s.groups.count(id) == 0 || !s.groups.at(id).shares_known) missing.push_back(id);
  }
  if (missing.empty()) return {};
  auto read = client.groups(missing);
  if (!read) return tl::unexpected(read.error());
  for (auto& [id, g] : *read) s.groups[id] = std::move(g);
  return {};
}

// Reads objects by id side by side; when one is gone (404), reads them one by one to learn
// which, and leaves those out of the map and in `gone`.
template <typename T, typename Many, typename One>
Result<std::map<gl::Id, T>> read_present(const std::set<gl::Id>& ids, Many many, One one,
                                         std::set<gl::Id>& gone) {
  if (ids.empty()) return std::map<gl::Id, T>();
  auto all = many(ids_of(ids));
  if (all || !is_not_found(all.error())) return all;
  std::map<gl::Id, T> out;
  for (const gl::Id id : ids) {
    auto read = one(id);
    if (read) {
      out.emplace(id, std::move(*read));
    } else if (is_not_found(read.error())) {
      gone.insert(id);
    } else {
      return tl::unexpected(read.error());
    }
  }
  return out;
}

// Only the members among `users`, when given.
std::vector<gl::Member> among(std::vector<gl::Member> list, const std::set<gl::Id>* users) {
  if (users != nullptr) {
    std::erase_if(list, [&](const gl::Member& m) { return users->count(m.user_id) == 0; });
  }
  return list;
}

// The direct members of every group and project of the snapshot. The sources the events named
// are read from GitLab now: for each user computed, one request for that user's membership
// (GitLab's GET .../members/:user_id) while they are few, else the whole list. The others come
// from the cache when it holds them, else are read whole; lists read whole are kept there.
Status read_members(gitlab::Client& client, Snapshot& s, const std::set<gl::Id>& named_groups,
                    const std::set<gl::Id>& named_projects, const MemberReads& reads) {
  // Above this many users, reading a named source's whole list costs fewer requests than one
  // request a user (a list of up to 100 members is one request).
  constexpr std::size_t kPerUserReads = 4;
  const std::set<gl::Id>* users = reads.only_users;
  const bool per_user = users != nullptr && users->size() <= kPerUserReads;
  MemberListCache* cache = reads.cache;
  const auto sources = [&](SourceKind kind, const auto& read, const std::set<gl::Id>& named,
                           std::map<gl::Id, std::vector<gl::Member>>& into) -> Status {
    std::vector<gl::Id> whole;
    for (const auto& [id, object] : read) {
      const bool fresh = named.count(id) != 0;
      if (fresh && per_user) continue;
      if (!fresh && cache != nullptr) {
        if (auto held = cache->find(kind, id, users)) {
          into[id] = std::move(*held);
          continue;
        }
      }
      whole.push_back(id);
    }
    auto lists =
        kind == SourceKind::kGroup ? client.group_members(whole) : client.project_members(whole);
    if (!lists) return tl::unexpected(lists.error());
    for (auto& [id, list] : *lists) {
      if (cache != nullptr) cache->put(kind, id, list);
      into[id] = among(std::move(list), users);
    }
    return {};
  };
  if (auto read = sources(SourceKind::kGroup, s.groups, named_groups, s.group_members); !read) {
    return read;
  }
  if (auto read = sources(SourceKind::kProject, s.projects, named_projects, s.project_members);
      !read) {
    return read;
  }
  if (!per_user) return {};
  std::vector<gl::Id> fresh_groups;
  for (const gl::Id id : named_groups) {
    if (s.groups.count(id) != 0) fresh_groups.push_back(id);
  }
  for (const gl::Id user : *users) {
    if (!fresh_groups.empty()) {
      auto memberships = client.group_memberships_of(fresh_groups, user);
      if (!memberships) return tl::unexpected(memberships.error());
      for (auto& [id, m] : *memberships) s.group_members[id].push_back(std::move(m));
    }
    for (const gl::Id id : named_projects) {
      if (s.projects.count(id) == 0) continue;
      auto own = client.project_membership_of(id, user);
      if (!own) return tl::unexpected(own.error());
      if (*own) s.project_members[id].push_back(std::move(**own));
    }
  }
  return {};
}

}  // namespace

std::vector<store::ShareLink> share_links(const Snapshot& s) {
  std::vector<store::ShareLink> out;
  for (const auto& [id, g] : s.groups) {
    for (const gl::Share& share : g.shared_with_groups) out.push_back({share.group_id, false, id});
  }
  for (const auto& [id, p] : s.projects) {
    for (const gl::Share& share : p.shared_with_groups) out.push_back({share.group_id, true, id});
  }
  return out;
}

Result<ScopedRead> read_scoped(gitlab::Client& client, const SyncScope& scope,
                               const std::vector<std::string>& allowed_roots,
                               const std::set<gl::Id>& bound, const ShareLinks& share_links,
                               const ProvisioningRules& rules, const gl::Date& today,
                               const MemberReads& members) {
  ScopedRead out;
  Snapshot& s = out.snapshot;
  s.today = today;
  // The groups and projects named, by a whole-source event or by a member event.
  std::set<gl::Id> named_groups = scope.groups;
  for (const auto& [group, user] : scope.group_members) named_groups.insert(group);
  std::set<gl::Id> named_projects_all = scope.projects;
  for (const auto& [project, user] : scope.project_members) named_projects_all.insert(project);

  // 1. The users named: what GitLab says of them now. Gone, blocked or a bot: never provisioned,
  // whatever their memberships say.
  for (const gl::Id id : scope.users) {
    auto user = client.user(id);
    if (!user) {
      if (!is_not_found(user.error())) return tl::unexpected(user.error());
      out.gone_users.insert(id);
      continue;
    }
    const bool gone = (user->state != "active" && !rules.include_inactive) ||
                      (is_bot(user->username, user->bot) && !rules.include_bots);
    if (gone) out.gone_users.insert(id);
    s.users[id] = std::move(*user);
  }

  // 2. The groups named, and every group below each: their members inherit the named group's.
  // A group gone since (deleted, or hidden from the token) needs the full sync, which deletes
  // its mirror and those below it.
  const auto many_groups = [&](const std::vector<gl::Id>& ids) { return client.groups(ids); };
  const auto one_group = [&](gl::Id id) { return client.group(std::to_string(id)); };
  std::set<gl::Id> gone_groups;
  auto named = read_present<gl::Group>(named_groups, many_groups, one_group, gone_groups);
  if (!named) return tl::unexpected(named.error());
  out.needs_full = !gone_groups.empty();
  std::set<gl::Id> subtree_roots;
  std::set<gl::Id> touched;  // the named groups and every group below them
  const auto add_trees = [&](std::map<gl::Id, gl::Group> roots) -> Status {
    std::vector<gl::Id> ids;
    for (auto& [id, g] : roots) {
      ids.push_back(id);
      subtree_roots.insert(id);
      touched.insert(id);
      s.groups[id] = std::move(g);
    }
    auto below = client.descendant_groups(ids);
    if (!below) return tl::unexpected(below.error());
    for (auto& [root, groups] : *below) {
      for (gl::Group& g : groups) {
        touched.insert(g.id);
        if (s.groups.count(g.id) == 0) s.groups[g.id] = std::move(g);
      }
    }
    return {};
  };
  if (auto read = add_trees(std::move(*named)); !read) return tl::unexpected(read.error());
  // The groups and projects they are invited into: a group share counts the invited group's
  // direct members (so only the named groups' shares), a project share also the members of the
  // invited group's ancestors (so the shares of every group below them too).
  std::set<gl::Id> share_projects;
  if (!touched.empty()) {
    auto links = share_links(touched);
    if (!links) return tl::unexpected(links.error());
    std::set<gl::Id> share_groups;
    for (const store::ShareLink& l : *links) {
      if (l.into_project) {
        share_projects.insert(l.target);
      } else if (named_groups.count(l.invited_group) != 0 && touched.count(l.target) == 0) {
        share_groups.insert(l.target);
      }
    }
    // And where GitLab says the named groups are invited now: the full sync does not read the
    // shares into a group no invited group's member reaches (sync/group_shares_reader.hpp), so
    // the links it kept lack the shares of groups that had no members then, as they lack shares
    // made since. A GitLab without the listing (404) leaves the kept links.
    std::vector<gl::Id> present;
    for (const gl::Id id : named_groups) {
      if (gone_groups.count(id) == 0) present.push_back(id);
    }
    if (!present.empty()) {
      auto invited = client.groups_invited_into(present);
      if (!invited && !is_not_found(invited.error())) return tl::unexpected(invited.error());
      std::map<gl::Id, std::vector<gl::Group>> now;
      if (invited) {
        now = std::move(*invited);
      } else if (present.size() > 1) {
        // One of them is gone or hidden since, or this GitLab has no such listing: one at a time.
        for (const gl::Id id : present) {
          auto one = client.groups_invited_into({id});
          if (!one && !is_not_found(one.error())) return tl::unexpected(one.error());
          if (one) now.merge(*one);
        }
      }
      for (const auto& [invitee, targets] : now) {
        for (const gl::Group& t : targets) {
          if (under_allowed_root(t.full_path, allowed_roots) && touched.count(t.id) == 0) {
            share_groups.insert(t.id);
          }
        }
      }
    }
    auto into = read_present<gl::Group>(share_groups, many_groups, one_group, gone_groups);
    if (!into) return tl::unexpected(into.error());
    if (auto read = add_trees(std::move(*into)); !read) return tl::unexpected(read.error());
  }

  // 3. The bound projects among the projects of those trees, those the named groups are
  // invited into and those named.
  auto projects = client.group_projects(ids_of(subtree_roots));
  if (!projects) return tl::unexpected(projects.error());
  for (auto& [root, list] : *projects) {
    for (gl::Project& p : list) {
      if (bound.count(p.id) != 0 && p.namespace_kind == "group" &&
          touched.count(p.namespace_id) != 0) {
        s.projects[p.id] = std::move(p);
      }
    }
  }
  std::set<gl::Id> named_projects;
  for (const std::set<gl::Id>* ids :
       {&std::as_const(share_projects), &std::as_const(named_projects_all)}) {
    for (const gl::Id id : *ids) {
      if (bound.count(id) != 0 && s.projects.count(id) == 0) named_projects.insert(id);
    }
  }
  // A project gone (deleted or hidden) keeps its permissions, as the full sync leaves them.
  std::set<gl::Id> gone_projects;
  auto read_projects = read_present<gl::Project>(
      named_projects, [&](const std::vector<gl::Id>& ids) { return client.projects(ids); },
      [&](gl::Id id) { return client.project(id); }, gone_projects);
  if (!read_projects) return tl::unexpected(read_projects.error());
  for (auto& [id, p] : *read_projects) s.projects[id] = std::move(p);

  // 4. The ancestors of every tree and of every project's group; each group's details.
  std::set<gl::Id> starts(subtree_roots);
  for (const auto& [id, p] : s.projects) {
    if (p.namespace_kind == "group" && p.namespace_id != 0) starts.insert(p.namespace_id);
  }
  if (auto read = read_groups(client, s, starts); !read) return tl::unexpected(read.error());
  for (const gl::Id id : starts) {
    if (auto chain = read_chain(client, s, s.groups.at(id)); !chain) {
      return tl::unexpected(chain.error());
    }
  }
  std::set<gl::Id> all_groups;
  for (const auto& [id, g] : s.groups) all_groups.insert(id);
  if (auto read = read_groups(client, s, all_groups); !read) return tl::unexpected(read.error());

  // 5. The groups invited into any of them: into groups, their direct members count; into
  // projects, the members of their ancestors too.
  std::set<gl::Id> invited;
  std::set<gl::Id> invited_into_projects;
  for (const auto& [id, g] : s.groups) {
    for (const gl::Share& share : g.shared_with_groups) invited.insert(share.group_id);
  }
  for (const auto& [id, p] : s.projects) {
    for (const gl::Share& share : p.shared_with_groups) {
      invited.insert(share.group_id);
      invited_into_projects.insert(share.group_id);
    }
  }
  if (auto read = read_groups(client, s, invited); !read) return tl::unexpected(read.error());
  for (const gl::Id id : invited_into_projects) {
    const gl::Group& g = s.groups.at(id);
    if (!g.parent_id || s.groups.count(*g.parent_id) != 0) continue;
    auto parent = client.group(std::to_string(*g.parent_id));
    if (!parent) return tl::unexpected(parent.error());
    if (auto chain = read_chain(client, s, std::move(*parent)); !chain) {
      return tl::unexpected(chain.error());
    }
  }

  // 6. Direct members of every group and project read.
  if (auto read = read_members(client, s, named_groups, named_projects_all, members); !read) {
    return tl::unexpected(read.error());
  }

  mark_scope(s, allowed_roots);
  // The rows this read determines: the trees of mirrored groups, and the bound projects read
  // (a project outside the allowed groups is left as it is, as the full sync leaves it).
  for (const gl::Id id : touched) {
    if (s.in_scope(id)) out.groups.insert(id);
  }
  for (const auto& [id, p] : s.projects) {
    if (p.namespace_kind == "group" && s.in_scope(p.namespace_id)) out.projects.insert(id);
  }
  s.gitlab_requests = client.counters().total_requests();
  return out;
}

}  // namespace provisio::sync
