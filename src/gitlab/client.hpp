#pragma once
// Start here for GitLab. The typed reads that the sync and the login need, over the REST API
// (CONTRACT.md): pages of 100 followed by x-next-page / Link (totals are used to fetch the
// pages of one listing in parallel when GitLab gives them, never trusted to end a listing),
// listings of many groups or projects side by side, all through one RequestEngine (rate limits,
// retries, counters). A listing is complete or its read fails: a failed page is never mistaken
// for an empty group.
//
// Threading: one thread; each call runs the transport's event loop until its reads are done.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/gitlab_types.hpp"
#include "core/random.hpp"
#include "gitlab/http_transport.hpp"
#include "gitlab/request_engine.hpp"

namespace provisio::gitlab {

enum class TokenKind {
  kPersonal,  // a personal, group or project access token: sent as PRIVATE-TOKEN
  kOAuth,     // a user's OAuth access token: sent as Authorization: Bearer
};

struct ClientOptions {
  std::string base_url;  // "https://gitlab.example.com": no trailing slash, no /api/v4
  std::string token;
  TokenKind token_kind = TokenKind::kPersonal;
  EngineOptions engine;
  int per_page = 100;
  int lookahead_pages = 8;  // pages requested ahead of the last one read when there is no total
};

class Client {
 public:
  Client(ClientOptions options, HttpTransport& transport, Random& random);

  // GET /personal_access_tokens/self: is the token alive, whose is it, what may it do.
  Result<gl::TokenInfo> token_self();
  // GET /user
  Result<gl::User> current_user();
  // GET /users/:id
  Result<gl::User> user(gl::Id id);
  // GET /users, every page (order_by=id): all the instance's users. Administrators see each
  // one's email there.
  Result<std::vector<gl::User>> all_users();
  // GET /users/:id for many users, side by side.
  Result<std::map<gl::Id, gl::User>> users(const std::vector<gl::Id>& ids);
  // GET /groups/:id?with_projects=false by id or full path; includes the groups shared into it.
  Result<gl::Group> group(const std::string& id_or_full_path);
  // The same for many groups, side by side.
  Result<std::map<gl::Id, gl::Group>> groups(const std::vector<gl::Id>& ids);
  // GET /groups/:id/descendant_groups: every group below, at every level.
  Result<std::vector<gl::Group>> descendant_groups(gl::Id group);
  // The same for many groups, side by side (by group).
  Result<std::map<gl::Id, std::vector<gl::Group>>> descendant_groups(
      const std::vector<gl::Id>& ids);
  // GET /groups/:id/groups/shared for many groups, side by side (by group): the groups each was
  // invited into (added in 2024: issue 424959, MR 155251; an older GitLab answers 404). Without
  // the share's level.
  Result<std::map<gl::Id, std::vector<gl::Group>>> groups_invited_into(
      const std::vector<gl::Id>& ids);
  // GET /groups/:id/members (direct members) for many groups, side by side.
  Result<std::map<gl::Id, std::vector<gl::Member>>> group_members(const std::vector<gl::Id>& ids);
  // GET /projects/:id/members (direct members) for many projects, side by side.
  Result<std::map<gl::Id, std::vector<gl::Member>>> project_members(const std::vector<gl::Id>& ids);
  // GET /groups/:id/members/:user_id for many groups, side by side: the user's direct
  // membership of each group that has one (GitLab answers 404 for the others). For explain,
  // which needs one user's memberships, not whole member lists.
  Result<std::map<gl::Id, gl::Member>> group_memberships_of(const std::vector<gl::Id>& groups,
                                                            gl::Id user);
  // GET /projects/:id/members/:user_id: the user's direct membership of the project, if any.
  Result<std::optional<gl::Member>> project_membership_of(gl::Id project, gl::Id user);
  // GET /groups/:id/projects?include_subgroups=true&with_shared=false: the projects of a
  // group tree, each with the groups shared into it.
  Result<std::vector<gl::Project>> group_projects(gl::Id group);
  // The same for many group trees, side by side (by group).
  Result<std::map<gl::Id, std::vector<gl::Project>>> group_projects(const std::vector<gl::Id>& ids);
  // GET /projects/:id
  Result<gl::Project> project(gl::Id id);
  // The same for many projects, side by side; fails with the first error (a 404 included).
  Result<std::map<gl::Id, gl::Project>> projects(const std::vector<gl::Id>& ids);
  // GET /groups/:id/member_roles (custom roles; the group's owners only).
  Result<std::vector<gl::CustomRole>> member_roles(gl::Id group);
  // GET /groups?min_access_level=N with the user's own token: at login, the user's groups.
  Result<std::vector<gl::Group>> my_groups(int min_access_level);

  // POST /api/graphql with {"query", "variables"}, queued: `done` gets GitLab's answer (its
  // "data" and/or "errors"), or the error of a request GitLab refused (404: no GraphQL API here;
  // 401/403: the token is not accepted for it). Runs with run(). Counted as "/api/graphql".
  void submit_graphql(const std::string& query, const nlohmann::json& variables,
                      const Subject& subject, std::function<void(Result<nlohmann::json>)> done);
  // Runs every queued request to its end (GraphQL's, and REST reads queued from callbacks).
  void run() { engine_.run(); }

  const Counters& counters() const { return engine_.counters(); }

 private:
  struct Listing;

  std::string url(const std::string& path, const std::string& query) const;
  TransportRequest request(const std::string& path, const std::string& query) const;
  Result<nlohmann::json> read_one(const std::string& path, const std::string& query,
                                  const std::string& endpoint, const Subject& subject);
  // Takes one page's items (a JSON array) as it arrives, pages in any order; an error ends the
  // listing with it.
  using PageSink = std::function<std::optional<Error>(int page, const nlohmann::json& items)>;
  // Starts a paginated listing: `sink` gets each page, then `done` the number of the last page
  // (pages read ahead past it are to be dropped) or the error.
  void list(const std::string& path, const std::string& query, const std::string& endpoint,
            Subject subject, PageSink sink, std::function<void(Result<int>)> done);
  // Reads one object per id side by side (GET path_prefix + id); fails with the first error.
  template <typename T>
  Result<std::map<gl::Id, T>> read_each(const std::vector<gl::Id>& ids,
                                        const std::string& path_prefix, const std::string& query,
                                        const std::string& endpoint, const std::string& what,
                                        Result<T> (*one)(const nlohmann::json&));
  // Reads the same listing for many ids side by side, each item turned into a T by `one` as its
  // page arrives; fails with the first error.
  template <typename T>
  Result<std::map<gl::Id, std::vector<T>>> list_many(
      const std::vector<gl::Id>& ids, const std::string& path_prefix,
      const std::string& path_suffix, const std::string& query, const std::string& endpoint,
      const std::string& what, Result<T> (*one)(const nlohmann::json&));

  ClientOptions options_;
  RequestEngine engine_;
};

}  // namespace provisio::gitlab
