#include "gitlab/client.hpp"

#include <algorithm>
#include <climits>
#include <memory>

#include "core/url.hpp"
#include "gitlab/json_mapping.hpp"

namespace provisio::gitlab {

// One paginated listing. Pages are requested ahead: all of them at once when GitLab gives the
// total, else a window of lookahead_pages past the last page read. A listing ends at the first
// page without a next page, whatever the total said.
struct Client::Listing : std::enable_shared_from_this<Client::Listing> {
  Client* client = nullptr;
  std::string path, query, endpoint;
  Subject subject;
  PageSink sink;
  std::function<void(Result<int>)> done;
  int highest_requested = 0;
  int last_page = INT_MAX;
  int outstanding = 0;
  std::optional<Error> error;

  void request(int page) {
    highest_requested = std::max(highest_requested, page);
    ++outstanding;
    const std::string q = query + (query.empty() ? "" : "&") + "page=" + std::to_string(page) +
                          "&per_page=" + std::to_string(client->options_.per_page);
    client->engine_.submit(client->request(path, q), endpoint, subject,
                           [self = shared_from_this(), page](Result<Reply> reply) {
                             self->on_page(page, std::move(reply));
                           });
  }

  // GitLab gives totals only up to 10,000 records (CONTRACT.md §1): 100 pages of 100. A larger
  // total is not GitLab's, and requesting all of it at once queued that many requests, billions
  // for x-total-pages: 2147483647 (found by fuzz/gitlab_client_fuzz.cpp). Pages past this many
  // ahead of the last one read are requested as the listing gets there.
  int most_pages_with_a_total() const {
    const int per_page = std::max(1, client->options_.per_page);
    return std::max(client->options_.lookahead_pages, (10'000 + per_page - 1) / per_page);
  }

  void on_page(int page, Result<Reply> reply) {
    --outstanding;
    if (!reply) {
      if (!error) error = reply.error();
    } else if (!error) {
      if (!reply->body.is_array()) {
        error = Error{ErrorCode::kInvalidResponse,
                      "GitLab's answer for " + subject.description + " is not a list."};
      } else {
        if (auto failed = sink(page, reply->body)) {
          error = std::move(*failed);
        } else if (!reply->page.has_next) {
          last_page = std::min(last_page, page);
        } else if (last_page == INT_MAX) {
          const int horizon =
              reply->page.total_pages && *reply->page.total_pages > page
                  ? std::min(*reply->page.total_pages, page + most_pages_with_a_total())
                  : page + client->options_.lookahead_pages;
          for (int p = highest_requested + 1; p <= horizon; ++p) request(p);
        }
      }
    }
    if (outstanding > 0) return;
    if (error) {
      done(tl::unexpected(*error));
      return;
    }
    done(last_page);
  }
};

namespace {

// The typed items of one listing, kept by page as the pages arrive (in any order), so a large
// read never holds more than a page of GitLab's JSON at a time. Pages read ahead past the last
// one are dropped at the end.
template <typename T>
struct TypedPages {
  Result<T> (*one)(const nlohmann::json&) = nullptr;
  std::map<int, std::vector<T>> pages;

  std::optional<Error> keep(int page, const nlohmann::json& items) {
    std::vector<T>& out = pages[page];
    out.reserve(items.size());
    for (const nlohmann::json& item : items) {
      auto v = one(item);
      if (!v) return v.error();
      out.push_back(std::move(*v));
    }
    return std::nullopt;
  }
  std::vector<T> take(int last_page) {
    std::size_t n = 0;
    for (const auto& [p, items] : pages) {
      if (p <= last_page) n += items.size();
    }
    std::vector<T> out;
    out.reserve(n);
    for (auto& [p, items] : pages) {
      if (p > last_page) break;
      for (T& item : items) out.push_back(std::move(item));
    }
    pages.clear();
    return out;
  }
};

}  // namespace

Client::Client(ClientOptions options, HttpTransport& transport, Random& random)
    : options_(std::move(options)), engine_(transport, options_.engine, random) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
}

std::string Client::url(const std::string& path, const std::string& query) const {
  return options_.base_url + "/api/v4" + path + (query.empty() ? "" : "?" + query);
}

TransportRequest Client::request(const std::string& path, const std::string& query) const {
  TransportRequest r;
  r.url = url(path, query);
  if (options_.token_kind == TokenKind::kPersonal) {
    r.headers.emplace_back("PRIVATE-TOKEN", options_.token);
  } else {
    r.headers.emplace_back("Authorization", "Bearer " + options_.token);
  }
  r.headers.emplace_back("Accept", "application/json");
  return r;
}

void Client::submit_graphql(const std::string& query, const nlohmann::json& variables,
                            const Subject& subject,
                            std::function<void(Result<nlohmann::json>)> done) {
  TransportRequest r = request("", "");
  r.url = options_.base_url + "/api/graphql";
  r.method = "POST";
  r.headers.emplace_back("Content-Type", "application/json");
  nlohmann::json body{{"query", query}};
  if (!variables.is_null()) body["variables"] = variables;
  r.body = body.dump();
  engine_.submit(std::move(r), "/api/graphql", subject,
                 [done = std::move(done)](Result<Reply> reply) {
                   if (!reply) {
                     done(tl::unexpected(reply.error()));
                     return;
                   }
                   done(std::move(reply->body));
                 });
}

Result<nlohmann::json> Client::read_one(const std::string& path, const std::string& query,
                                        const std::string& endpoint, const Subject& subject) {
  std::optional<Result<nlohmann::json>> out;
  engine_.submit(request(path, query), endpoint, subject, [&](Result<Reply> reply) {
    if (!reply) {
      out = tl::unexpected(reply.error());
    } else {
      out = std::move(reply->body);
    }
  });
  engine_.run();
  return std::move(*out);
}

void Client::list(const std::string& path, const std::string& query, const std::string& endpoint,
                  Subject subject, PageSink sink, std::function<void(Result<int>)> done) {
  auto listing = std::make_shared<Listing>();
  listing->client = this;
  listing->path = path;
  listing->query = query;
  listing->endpoint = endpoint;
  listing->subject = std::move(subject);
  listing->sink = std::move(sink);
  listing->done = std::move(done);
  listing->request(1);
}

template <typename T>
Result<std::map<gl::Id, std::vector<T>>> Client::list_many(
    const std::vector<gl::Id>& ids, const std::string& path_prefix, const std::string& path_suffix,
    const std::string& query, const std::string& endpoint, const std::string& what,
    Result<T> (*one)(const nlohmann::json&)) {
  std::map<gl::Id, std::vector<T>> out;
  std::map<gl::Id, TypedPages<T>> reading;
  std::optional<Error> error;
  for (const gl::Id id : ids) {
    TypedPages<T>& pages = reading[id];
    pages.one = one;
    list(
        path_prefix + std::to_string(id) + path_suffix, query, endpoint,
        Subject{what + " " + std::to_string(id)},
        [&pages](int page, const nlohmann::json& items) { return pages.keep(page, items); },
        [&, id](Result<int> last_page) {
          if (!last_page) {
            if (!error) {
              error = last_page.error();
              engine_.abort_queued();  // the read has failed: spend nothing more on it
            }
            return;
          }
          out[id] = reading.at(id).take(*last_page);
        });
  }
  engine_.run();
  if (error) return tl::unexpected(*error);
  return out;
}

namespace {

template <typename T>
Result<T> map_one(Result<nlohmann::json> raw, Result<T> (*one)(const nlohmann::json&)) {
  if (!raw) return tl::unexpected(raw.error());
  return one(*raw);
}

}  // namespace

template <typename T>
Result<std::map<gl::Id, T>> Client::read_each(const std::vector<gl::Id>& ids,
                                              const std::string& path_prefix,
                                              const std::string& query, const std::string& endpoint,
                                              const std::string& what,
                                              Result<T> (*one)(const nlohmann::json&)) {
  std::map<gl::Id, T> out;
  std::optional<Error> error;
  for (const gl::Id id : ids) {
    engine_.submit(request(path_prefix + std::to_string(id), query), endpoint,
                   Subject{what + " " + std::to_string(id)}, [&, id](Result<Reply> r) {
                     if (error) return;
                     Result<T> item = r ? one(r->body) : Result<T>(tl::unexpected(r.error()));
                     if (!item) {
                       error = item.error();
                       engine_.abort_queued();  // the read has failed: spend nothing more on it
                       return;
                     }
                     out.emplace(id, std::move(*item));
                   });
  }
  engine_.run();
  if (error) return tl::unexpected(*error);
  return out;
}

Result<gl::TokenInfo> Client::token_self() {
  return map_one(read_one("/personal_access_tokens/self", "", "/personal_access_tokens/self",
                          Subject{"the token's own details"}),
                 &to_token_info);
}

Result<gl::User> Client::current_user() {
  return map_one(read_one("/user", "", "/user", Subject{"the token's user"}), &to_user);
}

Result<gl::User> Client::user(gl::Id id) {
  return map_one(read_one("/users/" + std::to_string(id), "", "/users/:id",
                          Subject{"the GitLab user " + std::to_string(id)}),
                 &to_user);
}

Result<std::map<gl::Id, gl::User>> Client::users(const std::vector<gl::Id>& ids) {
  return read_each(ids, "/users/", "", "/users/:id", "the GitLab user", &to_user);
}

Result<gl::Group> Client::group(const std::string& id_or_full_path) {
  return map_one(read_one("/groups/" + percent_encode(id_or_full_path), "with_projects=false",
                          "/groups/:id", Subject{"the GitLab group '" + id_or_full_path + "'"}),
                 &to_group);
}

Result<std::map<gl::Id, gl::Group>> Client::groups(const std::vector<gl::Id>& ids) {
  return read_each(ids, "/groups/", "with_projects=false", "/groups/:id", "the GitLab group",
                   &to_group);
}

Result<std::vector<gl::Group>> Client::descendant_groups(gl::Id group) {
  auto read =
      list_many({group}, "/groups/", "/descendant_groups", "", "/groups/:id/descendant_groups",
                "the subgroups of the GitLab group", &to_group);
  if (!read) return tl::unexpected(read.error());
  return std::move((*read)[group]);
}

Result<std::map<gl::Id, std::vector<gl::Group>>> Client::descendant_groups(
    const std::vector<gl::Id>& ids) {
  return list_many(ids, "/groups/", "/descendant_groups", "", "/groups/:id/descendant_groups",
                   "the subgroups of the GitLab group", &to_group);
}

Result<std::map<gl::Id, std::vector<gl::Group>>> Client::groups_invited_into(
    const std::vector<gl::Id>& ids) {
  return list_many(ids, "/groups/", "/groups/shared", "", "/groups/:id/groups/shared",
                   "the groups the GitLab group was invited into", &to_group);
}

Result<std::map<gl::Id, std::vector<gl::Member>>> Client::group_members(
    const std::vector<gl::Id>& ids) {
  return list_many(ids, "/groups/", "/members", "", "/groups/:id/members",
                   "the members of the GitLab group", &to_member);
}

Result<std::map<gl::Id, std::vector<gl::Member>>> Client::project_members(
    const std::vector<gl::Id>& ids) {
  return list_many(ids, "/projects/", "/members", "", "/projects/:id/members",
                   "the members of the GitLab project", &to_member);
}

Result<std::map<gl::Id, gl::Member>> Client::group_memberships_of(const std::vector<gl::Id>& groups,
                                                                  gl::Id user) {
  std::map<gl::Id, gl::Member> out;
  std::optional<Error> error;
  const std::string who = std::to_string(user);
  for (const gl::Id id : groups) {
    engine_.submit(
        request("/groups/" + std::to_string(id) + "/members/" + who, ""),
        "/groups/:id/members/:user_id",
        Subject{"the membership of user " + who + " in the GitLab group " + std::to_string(id)},
        [&, id](Result<Reply> r) {
          if (error) return;
          if (!r && r.error().code == ErrorCode::kNotFound) return;  // not a member
          Result<gl::Member> m =
              r ? to_member(r->body) : Result<gl::Member>(tl::unexpected(r.error()));
          if (!m) {
            error = m.error();
            engine_.abort_queued();
            return;
          }
          out.emplace(id, std::move(*m));
        });
  }
  engine_.run();
  if (error) return tl::unexpected(*error);
  return out;
}

Result<std::optional<gl::Member>> Client::project_membership_of(gl::Id project, gl::Id user) {
  auto raw = read_one("/projects/" + std::to_string(project) + "/members/" + std::to_string(user),
                      "", "/projects/:id/members/:user_id",
                      Subject{"the membership of user " + std::to_string(user) +
                              " in the GitLab project " + std::to_string(project)});
  if (!raw) {
    if (raw.error().code == ErrorCode::kNotFound) return std::optional<gl::Member>();
    return tl::unexpected(raw.error());
  }
  auto m = to_member(*raw);
  if (!m) return tl::unexpected(m.error());
  return std::optional<gl::Member>(std::move(*m));
}

Result<std::vector<gl::Project>> Client::group_projects(gl::Id group) {
  auto read = list_many({group}, "/groups/", "/projects",
                        "include_subgroups=true&with_shared=false&order_by=id&sort=asc",
                        "/groups/:id/projects", "the projects of the GitLab group", &to_project);
  if (!read) return tl::unexpected(read.error());
  return std::move((*read)[group]);
}

Result<std::map<gl::Id, std::vector<gl::Project>>> Client::group_projects(
    const std::vector<gl::Id>& ids) {
  return list_many(ids, "/groups/", "/projects",
                   "include_subgroups=true&with_shared=false&order_by=id&sort=asc",
                   "/groups/:id/projects", "the projects of the GitLab group", &to_project);
}

Result<std::map<gl::Id, gl::Project>> Client::projects(const std::vector<gl::Id>& ids) {
  return read_each(ids, "/projects/", "", "/projects/:id", "the GitLab project", &to_project);
}

Result<gl::Project> Client::project(gl::Id id) {
  return map_one(read_one("/projects/" + std::to_string(id), "", "/projects/:id",
                          Subject{"the GitLab project " + std::to_string(id)}),
                 &to_project);
}

Result<std::vector<gl::CustomRole>> Client::member_roles(gl::Id group) {
  auto raw =
      read_one("/groups/" + std::to_string(group) + "/member_roles", "", "/groups/:id/member_roles",
               Subject{"the custom roles of the GitLab group " + std::to_string(group)});
  if (!raw) return tl::unexpected(raw.error());
  if (!raw->is_array()) {
    return make_error(ErrorCode::kInvalidResponse, "GitLab's list of custom roles is not a list.");
  }
  return to_list(raw->get<std::vector<nlohmann::json>>(), &to_custom_role);
}

Result<std::vector<gl::User>> Client::all_users() {
  TypedPages<gl::User> pages;
  pages.one = &to_user;
  std::optional<Result<int>> last_page;
  list(
      "/users", "order_by=id&sort=asc", "/users", Subject{"the GitLab users"},
      [&](int page, const nlohmann::json& items) { return pages.keep(page, items); },
      [&](Result<int> last) { last_page = std::move(last); });
  engine_.run();
  if (!*last_page) return tl::unexpected(last_page->error());
  return pages.take(**last_page);
}

Result<std::vector<gl::Group>> Client::my_groups(int min_access_level) {
  TypedPages<gl::Group> pages;
  pages.one = &to_group;
  std::optional<Result<int>> last_page;
  list(
      "/groups", "min_access_level=" + std::to_string(min_access_level), "/groups",
      Subject{"the user's GitLab groups"},
      [&](int page, const nlohmann::json& items) { return pages.keep(page, items); },
      [&](Result<int> last) { last_page = std::move(last); });
  engine_.run();
  if (!*last_page) return tl::unexpected(last_page->error());
  return pages.take(**last_page);
}

}  // namespace provisio::gitlab
