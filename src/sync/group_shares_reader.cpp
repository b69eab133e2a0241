#include "sync/group_shares_reader.hpp"

#include <string>
#include <vector>

#include "gitlab/graphql_share_probe.hpp"
#include "sync/thousands.hpp"

namespace provisio::sync {
namespace {

// The groups whose shares need no reading: GraphQL lists no member of a group invited into them
// or their ancestors. Asked with an administrator's token only: GitLab lists an administrator
// every invited group's members, but to anyone else it hides the rows of invited groups they may
// not read, after keeping one row per user (the highest level), so for anyone else an empty list
// does not prove that no share counts (a user of a visible invited group may be shown by their
// row from a hidden one). `why_not` gets why none were found.
std::set<gl::Id> without_shares(gitlab::Client& client, const std::vector<gl::Id>& candidates,
                                std::int64_t& requests, std::optional<Error>& why_not,
                                std::string& not_admin) {
  auto me = client.current_user();
  if (!me || !me->is_admin) {
    not_admin = me ? "the token's user is no GitLab administrator"
                   : "who the token's user is could not be read: " + me.error().message;
    return {};
  }
  auto probe = gitlab::probe_shared_members(client, candidates);
  if (!probe) {
    why_not = probe.error();
    return {};
  }
  requests = probe->requests;
  std::set<gl::Id> empty;
  for (const gl::Id id : candidates) {
    const auto answer = probe->groups.find(id);
    if (answer != probe->groups.end() && !answer->second.shared_members) empty.insert(id);
  }
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
  std::string not_admin;
  if (api == MembersApi::kGraphql && !unknown.empty()) {
    skip = without_shares(client, unknown, graphql_requests, why_not, not_admin);
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
  if (api == MembersApi::kRest || unknown.empty()) {
    s.shares_read_by = "REST";
  } else if (!not_admin.empty()) {
    s.shares_read_by = "REST (" + not_admin + ")";
  } else if (why_not) {
    s.shares_read_by = "REST (GraphQL could not be used: " + why_not->message + ")";
    // GraphQL not there, or the token refused: the member lists need not ask again. Any other
    // failure (an answer it did not understand, a timeout) leaves them to try.
    const ErrorCode c = why_not->code;
    if (graphql_error != nullptr &&
        (c == ErrorCode::kNotFound || c == ErrorCode::kUnauthenticated ||
         c == ErrorCode::kPermissionDenied)) {
      *graphql_error = why_not;
    }
  } else {
    s.shares_read_by = "GraphQL found no invited group's member in " + thousands(skip.size()) +
                       " of " + thousands(unknown.size()) + " groups (" +
                       thousands(static_cast<std::size_t>(graphql_requests)) +
                       " GraphQL requests); GET /groups/:id for " + thousands(read.size());
  }
  return {};
}

}  // namespace provisio::sync
