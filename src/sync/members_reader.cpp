#include "sync/members_reader.hpp"

#include <map>

#include "gitlab/graphql_members.hpp"
#include "gitlab/graphql_screen.hpp"
#include "sync/thousands.hpp"

namespace provisio::sync {
namespace {

std::string root_of(const std::string& full_path) {
  return full_path.substr(0, full_path.find('/'));
}

// GraphQL cannot be used here, but REST may: no GraphQL API (404), a token it refuses, answers it
// does not understand. Anything else (GitLab unavailable, rate limited) fails the read as REST
// would.
bool rest_may_do_better(const Error& e) {
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kUnauthenticated ||
         e.code == ErrorCode::kPermissionDenied || e.code == ErrorCode::kInvalidResponse;
}

Status read_rest(gitlab::Client& client, Snapshot& s, const std::vector<gl::Id>& groups,
                 const std::vector<gl::Id>& projects) {
  if (!groups.empty()) {
    auto read = client.group_members(groups);
    if (!read) return tl::unexpected(read.error());
    for (auto& [id, members] : *read) s.group_members[id] = std::move(members);
  }
  if (!projects.empty()) {
    auto read = client.project_members(projects);
    if (!read) return tl::unexpected(read.error());
    for (auto& [id, members] : *read) s.project_members[id] = std::move(members);
  }
  return {};
}

// With an administrator's token REST's member rows carry the user's email; the members GraphQL
// read get theirs from another row of the same user read over REST, else from GitLab: one user
// at a time when they are few, the users list (GET /users) when they are many.
Status add_emails(gitlab::Client& client, Snapshot& s, const std::set<gl::Id>& graphql_groups,
                  const std::set<gl::Id>& graphql_projects) {
  std::vector<gl::Member*> rows;
  for (const gl::Id id : graphql_groups) {
    for (gl::Member& m : s.group_members[id]) rows.push_back(&m);
  }
  for (const gl::Id id : graphql_projects) {
    for (gl::Member& m : s.project_members[id]) rows.push_back(&m);
  }
  std::map<gl::Id, std::optional<std::string>> email;
  const auto from_rest = [&](const std::map<gl::Id, std::vector<gl::Member>>& lists,
                             const std::set<gl::Id>& graphql) {
    for (const auto& [id, members] : lists) {
      if (graphql.count(id) != 0) continue;
      for (const gl::Member& m : members) {
        if (m.email) email[m.user_id] = m.email;
      }
    }
  };
  from_rest(s.group_members, graphql_groups);
  from_rest(s.project_members, graphql_projects);
  std::set<gl::Id> missing;
  for (const gl::Member* m : rows) {
    if (email.count(m->user_id) == 0) missing.insert(m->user_id);
  }
  if (!missing.empty()) {
    auto me = client.current_user();
    if (!me) return tl::unexpected(me.error());
    if (!me->is_admin) return {};           // REST shows no email either
    constexpr std::size_t kOneByOne = 100;  // about the pages of a small instance's users list
    if (missing.size() > kOneByOne) {
      if (auto users = client.all_users()) {
        for (const gl::User& u : *users) {
          if (missing.erase(u.id) != 0) email[u.id] = u.email;
        }
      }
    }
    if (!missing.empty()) {
      auto each = client.users({missing.begin(), missing.end()});
      if (!each) return tl::unexpected(each.error());
      for (const auto& [id, u] : *each) email[id] = u.email;
    }
  }
  for (gl::Member* m : rows) {
    if (const auto it = email.find(m->user_id); it != email.end()) m->email = it->second;
  }
  return {};
}

}  // namespace

std::optional<MembersApi> parse_members_api(std::string_view text) {
  if (text == "graphql") return MembersApi::kGraphql;
  if (text == "rest") return MembersApi::kRest;
  return std::nullopt;
}

Status read_members(gitlab::Client& client, Snapshot& s, const std::set<gl::Id>& groups,
                    MembersApi api, const std::optional<Error>& graphql_error) {
  std::vector<gl::Id> all_groups(groups.begin(), groups.end());
  std::vector<gl::Id> all_projects;
  for (const auto& [id, p] : s.projects) all_projects.push_back(id);
  const auto all_over_rest = [&](std::string why) -> Status {
    s.members_read_by = std::move(why);
    return read_rest(client, s, all_groups, all_projects);
  };
  if (api == MembersApi::kRest) return all_over_rest("REST");
  if (graphql_error && rest_may_do_better(*graphql_error)) {
    return all_over_rest("REST (GraphQL could not be used: " + graphql_error->message + ")");
  }

  // 1. What GraphQL cannot say, per root.
  std::set<std::string> root_paths;
  for (const gl::Id id : groups) root_paths.insert(root_of(s.groups.at(id).full_path));
  for (const auto& [id, p] : s.projects) root_paths.insert(root_of(p.path_with_namespace));
  auto screen = gitlab::screen_members(client, {root_paths.begin(), root_paths.end()});
  if (!screen) {
    if (!rest_may_do_better(screen.error())) return tl::unexpected(screen.error());
    return all_over_rest("REST (GraphQL could not be used: " + screen.error().message + ")");
  }
  const auto screen_of = [&](const std::string& path) -> const gitlab::RootScreen& {
    static const gitlab::RootScreen kUnknown;
    const auto it = screen->roots.find(root_of(path));
    return it == screen->roots.end() ? kUnknown : it->second;
  };
  const auto usable = [](const gitlab::RootScreen& r) { return r.roles_known && r.awaiting_known; };

  // 2. Over GraphQL where the root's answers are known, the rest over REST.
  std::vector<gl::Id> gq_groups, gq_projects, rest_groups, rest_projects;
  std::size_t unknown_root = 0, roles_or_awaiting = 0, unanswered = 0;
  for (const gl::Id id : groups) {
    (usable(screen_of(s.groups.at(id).full_path)) ? gq_groups : rest_groups).push_back(id);
  }
  for (const auto& [id, p] : s.projects) {
    (usable(screen_of(p.path_with_namespace)) ? gq_projects : rest_projects).push_back(id);
  }
  unknown_root = rest_groups.size() + rest_projects.size();
  gitlab::GraphqlMembersOptions options;
  options.exact = [&](gitlab::MemberSource kind, gl::Id source, const gl::Member& m) {
    const std::string& path = kind == gitlab::MemberSource::kGroup
                                  ? s.groups.at(source).full_path
                                  : s.projects.at(source).path_with_namespace;
    return screen_of(path).exact(m.user_id, m.access_level);
  };
  auto read = gitlab::read_members_graphql(client, gq_groups, gq_projects, options);
  if (!read) {
    if (!rest_may_do_better(read.error())) return tl::unexpected(read.error());
    return all_over_rest("REST (GraphQL could not be used: " + read.error().message + ")");
  }
  std::set<gl::Id> graphql_groups, graphql_projects;
  for (auto& [id, members] : read->groups) {
    s.group_members[id] = std::move(members);
    graphql_groups.insert(id);
  }
  for (auto& [id, members] : read->projects) {
    s.project_members[id] = std::move(members);
    graphql_projects.insert(id);
  }
  roles_or_awaiting = read->inexact_groups.size() + read->inexact_projects.size();
  rest_groups.insert(rest_groups.end(), read->inexact_groups.begin(), read->inexact_groups.end());
  rest_projects.insert(rest_projects.end(), read->inexact_projects.begin(),
                       read->inexact_projects.end());
  unanswered = read->unanswered_groups.size() + read->unanswered_projects.size();
  rest_groups.insert(rest_groups.end(), read->unanswered_groups.begin(),
                     read->unanswered_groups.end());
  rest_projects.insert(rest_projects.end(), read->unanswered_projects.begin(),
                       read->unanswered_projects.end());

  // 3. REST for the others, 4. emails for what GraphQL read.
  if (auto ok = read_rest(client, s, rest_groups, rest_projects); !ok) return ok;
  if (!graphql_groups.empty() || !graphql_projects.empty()) {
    if (auto ok = add_emails(client, s, graphql_groups, graphql_projects); !ok) return ok;
  }

  const std::size_t total = all_groups.size() + all_projects.size();
  const std::size_t by_graphql = graphql_groups.size() + graphql_projects.size();
  s.members_read_by = "GraphQL for " + thousands(by_graphql) + " of " + thousands(total) +
                      " member lists (" + thousands(read->requests + screen->requests) +
                      " GraphQL requests)";
  if (by_graphql < total) {
    s.members_read_by += "; REST for " + thousands(total - by_graphql) + ": " +
                         thousands(unknown_root) + " under a root whose custom roles or pending " +
                         "members GraphQL could not tell, " + thousands(roles_or_awaiting) +
                         " with a member at a custom role's base level or awaiting a seat, " +
                         thousands(unanswered) + " GraphQL did not answer";
  }
  return {};
}

}  // namespace provisio::sync
