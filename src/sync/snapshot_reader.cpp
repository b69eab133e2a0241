#include "sync/snapshot_reader.hpp"

#include <ctime>
#include <set>

#include "gitlab/graphql_group_details.hpp"
#include "sync/group_shares_reader.hpp"

namespace provisio::sync {
namespace {

std::vector<gl::Id> keys(const std::set<gl::Id>& ids) { return {ids.begin(), ids.end()}; }

// The details of groups from outside the roots: over GraphQL, 100 a request, when the member
// lists are read there, and GET /groups/:id (one request each, 400 a minute on GitLab.com) only
// for any GraphQL does not answer. Their shares are never needed: sharing is not transitive, only
// an invited group's own members (and, invited into a project, its ancestors' members) count
// (behaviour.md §3), so a group read over GraphQL keeps shares_known false.
Result<std::map<gl::Id, gl::Group>> describe_outside(gitlab::Client& client,
                                                     const std::set<gl::Id>& ids, bool graphql) {
  std::map<gl::Id, gl::Group> out;
  std::vector<gl::Id> rest = keys(ids);
  if (graphql) {
    // A GraphQL failure here costs only requests: the same groups over REST.
    if (auto read = gitlab::read_group_details_graphql(client, rest); read) {
      out = std::move(*read);
      std::erase_if(rest, [&out](gl::Id id) { return out.count(id) != 0; });
    }
  }
  auto read = client.groups(rest);
  if (!read) return tl::unexpected(read.error());
  out.merge(*read);
  return out;
}

}  // namespace

gl::Date date_of(Millis at) {
  const std::time_t t = static_cast<std::time_t>(at / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[11];
  std::strftime(out, sizeof out, "%Y-%m-%d", &tm);
  return out;
}

Result<gl::Group> read_allowed_root(gitlab::Client& client, const std::string& slug) {
  auto root = client.group(slug);
  if (!root) {
    Error e = root.error();
    if (e.code == ErrorCode::kNotFound) {
      e.message = "The allowed group '" + slug +
                  "' does not exist in GitLab, or the provisioning token cannot see it.";
    }
    return tl::unexpected(e);
  }
  if (root->parent_id) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "The allowed group '" + slug +
                          "' is not a root group; allow its root group '" +
                          root->full_path.substr(0, root->full_path.find('/')) + "' instead.");
  }
  return root;
}

Result<Snapshot> read_snapshot(gitlab::Client& client,
                               const std::vector<std::string>& allowed_roots, const gl::Date& today,
                               SyncProgress* progress, MembersApi members_api) {
  const auto step = [progress](const char* phase) {
    if (progress != nullptr) progress->set_phase(phase);
  };
  Snapshot s;
  s.today = today;
  step("reading GitLab: the allowed groups");
  // 1. The roots, each checked to be a root the token can see.
  for (const std::string& slug : allowed_roots) {
    auto root = read_allowed_root(client, slug);
    if (!root) return tl::unexpected(root.error());
    s.roots.push_back(root->id);
    s.groups_in_scope.insert(root->id);
    s.groups[root->id] = *root;
  }
  // 2. The trees below them.
  step("reading GitLab: subgroups");
  for (const gl::Id root : std::vector<gl::Id>(s.roots)) {
    auto below = client.descendant_groups(root);
    if (!below) return tl::unexpected(below.error());
    for (gl::Group& g : *below) {
      s.groups_in_scope.insert(g.id);
      s.groups[g.id] = std::move(g);
    }
  }
  // 3. The groups invited into each subgroup (list items do not carry them).
  step("reading GitLab: group shares");
  std::optional<Error> graphql_error;
  if (auto read = read_group_shares(client, s, members_api, &graphql_error); !read) {
    return tl::unexpected(read.error());
  }
  // 4. The projects of each tree, with the groups invited into them.
  step("reading GitLab: projects");
  for (const gl::Id root : s.roots) {
    auto projects = client.group_projects(root);
    if (!projects) return tl::unexpected(projects.error());
    for (gl::Project& p : *projects) {
      if (p.namespace_kind == "group" && s.in_scope(p.namespace_id)) {
        s.projects[p.id] = std::move(p);
      }
    }
  }
  step("reading GitLab: groups invited from outside");
  // 5. Groups invited from outside the roots: into groups (their direct members count) and into
  // projects (their ancestors' members count too, so read their ancestors).
  std::set<gl::Id> outside;
  std::set<gl::Id> outside_for_projects;
  for (const gl::Id id : s.groups_in_scope) {
    for (const gl::Share& share : s.groups[id].shared_with_groups) {
      if (!s.in_scope(share.group_id)) outside.insert(share.group_id);
    }
  }
  for (const auto& [id, p] : s.projects) {
    for (const gl::Share& share : p.shared_with_groups) {
      if (!s.in_scope(share.group_id)) outside_for_projects.insert(share.group_id);
    }
  }
  std::set<gl::Id> to_describe = outside;
  to_describe.insert(outside_for_projects.begin(), outside_for_projects.end());
  std::set<gl::Id> outside_members(to_describe.begin(), to_describe.end());
  const bool graphql = members_api == MembersApi::kGraphql && !graphql_error;
  while (!to_describe.empty()) {
    auto read = describe_outside(client, to_describe, graphql);
    if (!read) return tl::unexpected(read.error());
    to_describe.clear();
    for (auto& [id, g] : *read) {
      const bool walk_up = outside_for_projects.count(id) != 0;
      if (walk_up && g.parent_id && s.groups.count(*g.parent_id) == 0 &&
          !s.in_scope(*g.parent_id)) {
        to_describe.insert(*g.parent_id);
        outside_for_projects.insert(*g.parent_id);
        outside_members.insert(*g.parent_id);
      }
      s.groups[id] = std::move(g);
    }
  }
  // 6. Direct members of every group in scope and of the outside groups, and of every project.
  step("reading GitLab: members");
  std::set<gl::Id> member_groups(s.groups_in_scope.begin(), s.groups_in_scope.end());
  member_groups.insert(outside_members.begin(), outside_members.end());
  if (auto read = read_members(client, s, member_groups, members_api, graphql_error); !read) {
    return tl::unexpected(read.error());
  }
  s.gitlab_requests = client.counters().total_requests();
  return s;
}

}  // namespace provisio::sync
