#include "sync/group_shares_reader.hpp"

#include <string>
#include <vector>

#include "core/access_level.hpp"
#include "gitlab/graphql_share_probe.hpp"

namespace provisio::sync {
namespace {

std::string thousands(std::size_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

// The groups whose shares need no reading: GraphQL lists no member of a group invited into them
// or their ancestors, and it lists every such group's members to this token. GroupMembersFinder
// lists all of them to a member of the group (Group#member?: an administrator, or a level of
// Guest or more on the group or an ancestor) and to anyone else only those of the invited groups
// the user may see, so for anyone else an empty list proves nothing.
std::set<gl::Id> without_shares(gitlab::Client& client, const Snapshot& s,
                                const std::vector<gl::Id>& candidates, std::int64_t& requests,
                                std::optional<Error>& why_not) {
  // The roots are asked too: their direct level makes the token's user a member of every group
  // below them.
  std::vector<gl::Id> asked(candidates);
  for (const gl::Id root : s.roots) asked.push_back(root);
  auto probe = gitlab::probe_shared_members(client, asked);
  if (!probe) {
    why_not = probe.error();
    return {};
  }
  requests = probe->requests;
  const auto member_of = [&](gl::Id id) {
    for (int depth = 0; depth < 64; ++depth) {  // GitLab nests 20 levels at most
      const auto answer = probe->groups.find(id);
      if (answer != probe->groups.end() &&
          answer->second.own_level >= static_cast<int>(AccessLevel::kGuest)) {
        return true;
      }
      const auto group = s.groups.find(id);
      if (group == s.groups.end() || !group->second.parent_id) return false;
      id = *group->second.parent_id;
    }
    return false;
  };
  std::set<gl::Id> empty;
  bool all_members = true;
  for (const gl::Id id : candidates) {
    const auto answer = probe->groups.find(id);
    if (answer == probe->groups.end() || answer->second.shared_members) continue;
    empty.insert(id);
    all_members = all_members && member_of(id);
  }
  if (all_members) return empty;
  // Some are not the token user's groups: only an administrator is shown every share there.
  auto me = client.current_user();
  if (me && me->is_admin) return empty;
  std::erase_if(empty, [&](gl::Id id) { return !member_of(id); });
  return empty;
}

}  // namespace

Status read_group_shares(gitlab::Client& client, Snapshot& s, MembersApi api,
                         std::optional<Error>* graphql_error) {
  std::vector<gl::Id> unknown;
  for (const gl::Id id : s.groups_in_scope) {
    if (!s.groups.at(id).shares_known) unknown.push_back(id);
  }
  std::set<gl::Id> skip;
  std::int64_t graphql_requests = 0;
  std::optional<Error> why_not;
  if (api == MembersApi::kGraphql && !unknown.empty()) {
    skip = without_shares(client, s, unknown, graphql_requests, why_not);
  }
  std::vector<gl::Id> read;
  for (const gl::Id id : unknown) {
    if (skip.count(id) != 0) {
      gl::Group& g = s.groups.at(id);
      g.shares_known = true;  // none that gives anyone access
      g.shared_with_groups.clear();
    } else {
      read.push_back(id);
    }
  }
  auto details = client.groups(read);
  if (!details) return tl::unexpected(details.error());
  for (auto& [id, g] : *details) s.groups[id] = std::move(g);
  if (api == MembersApi::kRest) {
    s.shares_read_by = "REST";
  } else if (why_not) {
    s.shares_read_by = "REST (GraphQL could not be used: " + why_not->message + ")";
    if (graphql_error != nullptr) *graphql_error = why_not;
  } else {
    s.shares_read_by = "GraphQL found no invited group's member in " + thousands(skip.size()) +
                       " of " + thousands(unknown.size()) + " groups (" +
                       thousands(static_cast<std::size_t>(graphql_requests)) +
                       " requests); GET /groups/:id for " + thousands(read.size());
  }
  return {};
}

}  // namespace provisio::sync
