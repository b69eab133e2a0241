#include "gitlab/graphql_members.hpp"

#include <algorithm>
#include <charconv>
#include <deque>
#include <memory>
#include <optional>
#include <set>

#include "gitlab/graphql_json.hpp"
#include "gitlab/graphql_query.hpp"

namespace provisio::gitlab {
namespace {

using nlohmann::json;
namespace gq = graphql;

// One piece of reading: the first page of up to 100 sources' members, or the next page of one
// source's members.
struct Work {
  MemberSource kind = MemberSource::kGroup;
  std::vector<gl::Id> ids;                 // the sources (one for a next page)
  std::optional<std::string> outer_after;  // continues groups(ids:) itself (rarely needed)
  std::optional<std::string> cursor;       // a next page of ids[0]'s members
  int first = gq::kMaxPageSize;            // members per page
};

const char* model(MemberSource k) { return k == MemberSource::kGroup ? "Group" : "Project"; }
const char* list_field(MemberSource k) { return k == MemberSource::kGroup ? "groups" : "projects"; }
const char* members_field(MemberSource k) {
  return k == MemberSource::kGroup ? "groupMembers" : "projectMembers";
}

std::string gid(MemberSource k, gl::Id id) {
  return std::string("gid://gitlab/") + model(k) + "/" + std::to_string(id);
}

gq::Field page_info() {
  return gq::object("pageInfo", {gq::leaf("hasNextPage"), gq::leaf("endCursor")});
}

// The alias reading `w`, with its variables named after `n`.
gq::Field alias_for(const Work& w, int n, std::string& variables, json& values) {
  const std::string v = "v" + std::to_string(n);
  variables += (variables.empty() ? "" : ", ") + ("$" + v + ": [ID!]");
  json ids = json::array();
  for (const gl::Id id : w.ids) ids.push_back(gid(w.kind, id));
  values[v] = std::move(ids);

  std::string member_args = "relations: [DIRECT], first: " + std::to_string(w.first);
  if (w.cursor) {
    const std::string c = "c" + std::to_string(n);
    variables += ", $" + c + ": String";
    values[c] = *w.cursor;
    member_args += ", after: $" + c;
  }
  gq::Field members{
      "",
      members_field(w.kind),
      member_args,
      gq::Field::Kind::kConnection,
      w.first,
      false,
      {page_info(),
       gq::object("nodes",
                  {gq::object("accessLevel", {gq::leaf("integerValue")}), gq::leaf("expiresAt"),
                   gq::object("user", {gq::leaf("id"), gq::leaf("username"), gq::leaf("name"),
                                       gq::leaf("state")})})}};
  const int sources = w.cursor ? 1 : gq::kMaxPageSize;
  std::string list_args = "ids: $" + v + ", first: " + std::to_string(sources);
  if (w.outer_after) {
    const std::string o = "o" + std::to_string(n);
    variables += ", $" + o + ": String";
    values[o] = *w.outer_after;
    list_args += ", after: $" + o;
  }
  std::vector<gq::Field> selections{gq::object("nodes", {gq::leaf("id"), std::move(members)})};
  if (!w.cursor) selections.push_back(page_info());
  // groups(...) has a `sort` argument GitLab defaults (name_asc): it counts in its complexity.
  return gq::Field{"a" + std::to_string(n),
                   list_field(w.kind),
                   list_args,
                   gq::Field::Kind::kConnection,
                   sources,
                   w.kind == MemberSource::kGroup,
                   std::move(selections)};
}

int cost(const Work& w) {
  std::string variables;
  json values = json::object();
  return alias_for(w, 0, variables, values).complexity();
}

const json& empty_list() {
  static const json kEmpty = json::array();
  return kEmpty;
}

std::optional<gl::Date> date_part(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  // Types::TimeType renders the members.expires_at date as "2026-11-28"; a timestamp keeps its
  // date as written.
  return s.substr(0, 10);
}

class Reader {
 public:
  Reader(Client& client, const GraphqlMembersOptions& options)
      : client_(client),
        limit_(std::max(1, options.complexity_limit)),
        per_field_(std::clamp(options.sources_per_field, 1, gq::kMaxPageSize)),
        exact_(options.exact) {}

  Result<GraphqlMembers> run(const std::vector<gl::Id>& groups,
                             const std::vector<gl::Id>& projects) {
    queue_sources(MemberSource::kGroup, groups);
    queue_sources(MemberSource::kProject, projects);
    pump();
    client_.run();
    if (fatal_) return tl::unexpected(*fatal_);
    for (auto* m : {&out_.groups, &out_.projects}) {
      for (auto& [id, members] : *m) {
        std::sort(members.begin(), members.end(),
                  [](const gl::Member& a, const gl::Member& b) { return a.user_id < b.user_id; });
      }
    }
    for (const gl::Id id : unanswered_[0]) out_.unanswered_groups.push_back(id);
    for (const gl::Id id : unanswered_[1]) out_.unanswered_projects.push_back(id);
    for (const gl::Id id : inexact_[0]) out_.inexact_groups.push_back(id);
    for (const gl::Id id : inexact_[1]) out_.inexact_projects.push_back(id);
    return std::move(out_);
  }

 private:
  void queue_sources(MemberSource kind, const std::vector<gl::Id>& ids) {
    auto& seen = kind == MemberSource::kGroup ? out_.groups : out_.projects;
    for (std::size_t i = 0; i < ids.size(); i += static_cast<std::size_t>(per_field_)) {
      Work w;
      w.kind = kind;
      w.ids.assign(ids.begin() + static_cast<std::ptrdiff_t>(i),
                   ids.begin() + static_cast<std::ptrdiff_t>(std::min(
                                     ids.size(), i + static_cast<std::size_t>(per_field_))));
      for (const gl::Id id : w.ids) seen[id];  // every source gets its list, empty or not
      queue_.push_back(std::move(w));
    }
  }

  // Packs the queued work into requests under the complexity limit and sends them.
  void pump() {
    while (!queue_.empty() && !fatal_) {
      std::vector<Work> batch;
      int total = 0;
      std::size_t text = 0;
      while (!queue_.empty()) {
        const int c = static_cast<int>(cost(queue_.front()) * scale_ + 0.999);
        // ~300 characters of query text per alias; GitLab takes 10,000 in all.
        if (!batch.empty() && (total + c > limit_ || text + 400 > gq::kMaxQuerySize - 1000)) break;
        total += c;
        text += 400;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      send(std::move(batch));
    }
  }

  void send(std::vector<Work> batch) {
    gq::Query q;
    json values = json::object();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      q.fields.push_back(alias_for(batch[i], static_cast<int>(i), q.variables, values));
    }
    ++out_.requests;
    auto shared = std::make_shared<std::vector<Work>>(std::move(batch));
    const std::size_t sources = [&] {
      std::size_t n = 0;
      for (const Work& w : *shared) n += w.ids.size();
      return n;
    }();
    client_.submit_graphql(
        q.text(), values,
        Subject{"the members of " + std::to_string(sources) + " GitLab groups and projects"},
        [this, shared](Result<json> answer) {
          on_answer(std::move(*shared), std::move(answer));
          pump();
        });
  }

  void on_answer(std::vector<Work> batch, Result<json> answer) {
    if (fatal_) return;
    if (!answer) {
      if (gq::query_too_large(answer.error())) {
        split(std::move(batch));
        return;
      }
      fatal_ = answer.error();
      return;
    }
    const json& body = *answer;
    if (!body.is_object()) {
      fatal_ = Error{ErrorCode::kInvalidResponse, "GitLab's GraphQL answer is not an object."};
      return;
    }
    const json* data = gq::at(body, "data").is_object() ? &body.at("data") : nullptr;
    std::set<std::string> failed_aliases;
    std::map<std::string, std::set<std::size_t>> failed_nodes;
    if (gq::at(body, "errors").is_array()) {
      for (const json& e : body.at("errors")) {
        const std::string message = gq::string_at(e, "message");
        if (const auto refused = gq::complexity_refusal(message)) {
          // GitLab scored it higher than we did, or its limit is lower: learn both, so the
          // pieces are packed to fit.
          limit_ = std::min(limit_, std::max(1, refused->limit));
          int ours = 0;
          for (const Work& w : batch) ours += cost(w);
          if (ours > 0 && refused->score > ours) {
            scale_ = std::max(scale_, static_cast<double>(refused->score) / ours);
          }
          split(std::move(batch));
          return;
        }
        if (data == nullptr) {
          fatal_ = Error{ErrorCode::kInvalidResponse,
                         "GitLab's GraphQL API refused the member query: " + message};
          return;
        }
        const json& path = gq::at(e, "path");
        if (!path.is_array() || path.empty() || !path[0].is_string()) continue;
        if (path.size() >= 3 && path[1] == "nodes" && path[2].is_number_unsigned()) {
          failed_nodes[path[0].get<std::string>()].insert(path[2].get<std::size_t>());
        } else {
          failed_aliases.insert(path[0].get<std::string>());
        }
      }
    }
    if (data == nullptr) {
      fatal_ = Error{ErrorCode::kInvalidResponse, "GitLab's GraphQL answer has no data."};
      return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::string alias = "a" + std::to_string(i);
      Work& w = batch[i];
      const json& field = gq::at(*data, alias);
      if (failed_aliases.count(alias) || !field.is_object()) {
        for (const gl::Id id : w.ids) unanswered(w.kind, id);
        continue;
      }
      take(w, field, failed_nodes[alias]);
    }
  }

  // The answer of one alias.
  void take(const Work& w, const json& field, const std::set<std::size_t>& failed) {
    std::set<gl::Id> answered;
    const json& listed = gq::at(field, "nodes");
    const json& nodes = listed.is_array() ? listed : empty_list();
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      const json& node = nodes[n];
      const auto id = id_of_gid(gq::at(node, "id"));
      if (!id || std::find(w.ids.begin(), w.ids.end(), *id) == w.ids.end()) continue;
      const json& members = gq::at(node, members_field(w.kind));
      if (failed.count(n) || !gq::at(members, "nodes").is_array()) {
        unanswered(w.kind, *id);
        answered.insert(*id);
        continue;
      }
      answered.insert(*id);
      const int k = w.kind == MemberSource::kGroup ? 0 : 1;
      if (unanswered_[k].count(*id) || inexact_[k].count(*id)) continue;
      auto& list = (w.kind == MemberSource::kGroup ? out_.groups : out_.projects)[*id];
      bool usable = true;
      bool exact = true;
      for (const json& m : members.at("nodes")) {
        auto member = to_member(m);
        if (!member) {
          usable = false;
          break;
        }
        if (!*member) continue;
        if (exact_ && !exact_(w.kind, *id, **member)) exact = false;
        list.push_back(std::move(**member));
      }
      if (!usable) {
        unanswered(w.kind, *id);
        continue;
      }
      if (!exact) {
        // Only REST can say what GraphQL does not: no more of its pages here.
        (w.kind == MemberSource::kGroup ? out_.groups : out_.projects).erase(*id);
        inexact_[k].insert(*id);
        continue;
      }
      const json& info = gq::at(members, "pageInfo");
      if (gq::bool_at(info, "hasNextPage", false)) {
        const json& end = gq::at(info, "endCursor");
        if (!end.is_string()) {
          unanswered(w.kind, *id);
          continue;
        }
        Work next;
        next.kind = w.kind;
        next.ids = {*id};
        next.cursor = end.get<std::string>();
        next.first = w.first;
        queue_.push_back(std::move(next));
      }
    }
    const json& outer = gq::at(field, "pageInfo");
    if (!w.cursor && gq::bool_at(outer, "hasNextPage", false) &&
        gq::at(outer, "endCursor").is_string()) {
      Work more = w;
      more.outer_after = outer.at("endCursor").get<std::string>();
      queue_.push_back(std::move(more));
      return;  // the rest of the sources may be on the next page of the list
    }
    for (const gl::Id id : w.ids) {
      if (!answered.count(id)) unanswered(w.kind, id);
    }
  }

  // A member node -> a direct membership; nullopt (no error) for a row without a user (an
  // invitation by email, which REST does not list and which grants nothing).
  static Result<std::optional<gl::Member>> to_member(const json& m) {
    if (!m.is_object()) return make_error(ErrorCode::kInvalidResponse, "member is not an object");
    const json& user = gq::at(m, "user");
    if (user.is_null()) return std::optional<gl::Member>();
    const auto id = id_of_gid(gq::at(user, "id"));
    const json& level = gq::at(gq::at(m, "accessLevel"), "integerValue");
    if (!id || !level.is_number_integer()) {
      return make_error(ErrorCode::kInvalidResponse, "member without a user id or access level");
    }
    gl::Member out;
    out.user_id = *id;
    out.username = gq::string_at(user, "username");
    out.name = gq::string_at(user, "name");
    out.state = gq::string_at(user, "state", "active");
    out.access_level = level.get<int>();
    out.expires_at = date_part(gq::at(m, "expiresAt"));
    return std::optional<gl::Member>(std::move(out));
  }

  // GitLab refused the request for its complexity or size: the same work in smaller requests.
  void split(std::vector<Work> batch) {
    if (batch.size() > 1) {
      // Two requests of half the aliases each (pump() packs each half alone); each half is split
      // again if it is refused too.
      const std::size_t mid = batch.size() / 2;
      std::vector<Work> second(
          std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(mid)),
          std::make_move_iterator(batch.end()));
      batch.resize(mid);
      send(std::move(batch));
      send(std::move(second));
      return;
    }
    Work w = std::move(batch.front());
    if (w.ids.size() > 1) {
      Work half = w;
      const std::size_t mid = w.ids.size() / 2;
      half.ids.assign(w.ids.begin() + static_cast<std::ptrdiff_t>(mid), w.ids.end());
      w.ids.resize(mid);
      queue_.push_front(std::move(half));
      queue_.push_front(std::move(w));
    } else if (w.first > 1) {
      w.first = std::max(1, w.first / 2);
      queue_.push_front(std::move(w));
    } else {
      for (const gl::Id id : w.ids) unanswered(w.kind, id);
    }
  }

  void unanswered(MemberSource kind, gl::Id id) {
    auto& members = kind == MemberSource::kGroup ? out_.groups : out_.projects;
    members.erase(id);
    unanswered_[kind == MemberSource::kGroup ? 0 : 1].insert(id);
  }

  Client& client_;
  int limit_;
  double scale_ = 1.0;  // GitLab's score over ours, when it ever scored a query higher
  int per_field_;
  std::deque<Work> queue_;
  std::optional<Error> fatal_;
  std::set<gl::Id> unanswered_[2];
  std::set<gl::Id> inexact_[2];
  std::function<bool(MemberSource, gl::Id, const gl::Member&)> exact_;
  GraphqlMembers out_;
};

}  // namespace

std::optional<gl::Id> id_of_gid(const nlohmann::json& gid) {
  if (!gid.is_string()) return std::nullopt;
  const std::string s = gid.get<std::string>();
  const auto slash = s.rfind('/');
  if (s.rfind("gid://gitlab/", 0) != 0 || slash == std::string::npos) return std::nullopt;
  gl::Id id = 0;
  const auto [end, ec] = std::from_chars(s.data() + slash + 1, s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size() || slash + 1 == s.size()) {
    return std::nullopt;
  }
  return id;
}

Result<GraphqlMembers> read_members_graphql(Client& client, const std::vector<gl::Id>& groups,
                                            const std::vector<gl::Id>& projects,
                                            const GraphqlMembersOptions& options) {
  return Reader(client, options).run(groups, projects);
}

}  // namespace provisio::gitlab
