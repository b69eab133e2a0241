#include "gitlab/client.hpp"

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
  std::function<void(Result<std::vector<nlohmann::json>>)> done;
  std::map<int, std::vector<nlohmann::json>> pages;
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

  void on_page(int page, Result<Reply> reply) {
    --outstanding;
    if (!reply) {
      if (!error) error = reply.error();
    } else if (!error) {
      if (!reply->body.is_array()) {
        error = Error{ErrorCode::kInvalidResponse,
                      "GitLab's answer for " + subject.description + " is not a list."};
      } else {
        pages[page] = reply->body.get<std::vector<nlohmann::json>>();
        if (!reply->page.has_next) {
          last_page = std::min(last_page, page);
        } else if (last_page == INT_MAX) {
          const int horizon = reply->page.total_pages && *reply->page.total_pages > page
                                  ? *reply->page.total_pages
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
    std::vector<nlohmann::json> items;
    for (auto& [p, page_items] : pages) {
      if (p > last_page) break;
      for (auto& item : page_items) items.push_back(std::move(item));
    }
    done(std::move(items));
  }
};

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
                  Subject subject, std::function<void(Result<std::vector<nlohmann::json>>)> done) {
  auto listing = std::make_shared<Listing>();
  listing->client = this;
  listing->path = path;
  listing->query = query;
  listing->endpoint = endpoint;
  listing->subject = std::move(subject);
  listing->done = std::move(done);
  listing->request(1);
}

Result<std::map<gl::Id, std::vector<nlohmann::json>>> Client::list_many(
    const std::vector<gl::Id>& ids, const std::string& path_prefix, const std::string& path_suffix,
    const std::string& query, const std::string& endpoint, const std::string& what) {
  std::map<gl::Id, std::vector<nlohmann::json>> out;
  std::optional<Error> error;
  for (const gl::Id id : ids) {
    list(path_prefix + std::to_string(id) + path_suffix, query, endpoint,
         Subject{what + " " + std::to_string(id)},
         [&, id](Result<std::vector<nlohmann::json>> items) {
           if (!items) {
             if (!error) {
               error = items.error();
               engine_.abort_queued();  // the read has failed: spend nothing more on it
             }
             return;
           }
           out[id] = std::move(*items);
         });
  }
  engine_.run();
  if (error) return tl::unexpected(*error);
  return out;
}

namespace {

template <typename T>
Result<std::map<gl::Id, std::vector<T>>> map_lists(
    Result<std::map<gl::Id, std::vector<nlohmann::json>>> raw,
    Result<T> (*one)(const nlohmann::json&)) {
  if (!raw) return tl::unexpected(raw.error());
  std::map<gl::Id, std::vector<T>> out;
  for (auto& [id, items] : *raw) {
    auto list = to_list(items, one);
    if (!list) return tl::unexpected(list.error());
    out.emplace(id, std::move(*list));
  }
  return out;
}

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
  auto raw = list_many({group}, "/groups/", "/descendant_groups", "",
                       "/groups/:id/descendant_groups", "the subgroups of the GitLab group");
  if (!raw) return tl::unexpected(raw.error());
  return to_list((*raw)[group], &to_group);
}

Result<std::map<gl::Id, std::vector<gl::Member>>> Client::group_members(
    const std::vector<gl::Id>& ids) {
  return map_lists(list_many(ids, "/groups/", "/members", "", "/groups/:id/members",
                             "the members of the GitLab group"),
                   &to_member);
}

Result<std::map<gl::Id, std::vector<gl::Member>>> Client::project_members(
    const std::vector<gl::Id>& ids) {
  return map_lists(list_many(ids, "/projects/", "/members", "", "/projects/:id/members",
                             "the members of the GitLab project"),
                   &to_member);
}

Result<std::vector<gl::Project>> Client::group_projects(gl::Id group) {
  auto raw = list_many({group}, "/groups/", "/projects",
                       "include_subgroups=true&with_shared=false&order_by=id&sort=asc",
                       "/groups/:id/projects", "the projects of the GitLab group");
  if (!raw) return tl::unexpected(raw.error());
  return to_list((*raw)[group], &to_project);
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

Result<std::vector<gl::Group>> Client::my_groups(int min_access_level) {
  std::optional<Result<std::vector<nlohmann::json>>> raw;
  list("/groups", "min_access_level=" + std::to_string(min_access_level), "/groups",
       Subject{"the user's GitLab groups"},
       [&](Result<std::vector<nlohmann::json>> items) { raw = std::move(items); });
  engine_.run();
  if (!*raw) return tl::unexpected(raw->error());
  return to_list(**raw, &to_group);
}

}  // namespace provisio::gitlab
