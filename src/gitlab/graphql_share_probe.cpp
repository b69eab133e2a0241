#include "gitlab/graphql_share_probe.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "gitlab/graphql_json.hpp"
#include "gitlab/graphql_members.hpp"

namespace provisio::gitlab {
namespace {

using nlohmann::json;
namespace gq = graphql;

using Ids = std::vector<gl::Id>;

// The alias asking about `ids`, its variable named after `n`.
gq::Field alias_for(const Ids& ids, int n, std::string& variables, json& values) {
  const std::string v = "v" + std::to_string(n);
  variables += (variables.empty() ? "" : ", ") + ("$" + v + ": [ID!]");
  json gids = json::array();
  for (const gl::Id id : ids) gids.push_back("gid://gitlab/Group/" + std::to_string(id));
  values[v] = std::move(gids);
  gq::Field shared{"",
                   "groupMembers",
                   "relations: [SHARED_FROM_GROUPS], first: 1",
                   gq::Field::Kind::kConnection,
                   1,
                   false,
                   // accessLevel: every GitLab's MemberInterface has it (`id` came later).
                   // hasNextPage: a row GitLab hid from the page still leaves the next one.
                   {gq::object("nodes", {gq::object("accessLevel", {gq::leaf("integerValue")})}),
                    gq::object("pageInfo", {gq::leaf("hasNextPage")})}};
  gq::Field nodes = gq::object("nodes", {gq::leaf("id"), std::move(shared)});
  // groups(...) has a `sort` argument GitLab defaults (name_asc): it counts in its complexity.
  return gq::Field{"a" + std::to_string(n),
                   "groups",
                   "ids: $" + v + ", first: " + std::to_string(gq::kMaxPageSize),
                   gq::Field::Kind::kConnection,
                   gq::kMaxPageSize,
                   true,
                   {std::move(nodes), gq::object("pageInfo", {gq::leaf("hasNextPage")})}};
}

int cost(const Ids& ids) {
  std::string variables;
  json values = json::object();
  return alias_for(ids, 0, variables, values).complexity();
}

class Prober {
 public:
  Prober(Client& client, int limit) : client_(client), limit_(std::max(1, limit)) {}

  Result<SharedMembersProbe> run(const Ids& groups) {
    std::vector<Ids> pieces;
    for (std::size_t i = 0; i < groups.size(); i += gq::kMaxPageSize) {
      pieces.emplace_back(groups.begin() + static_cast<std::ptrdiff_t>(i),
                          groups.begin() + static_cast<std::ptrdiff_t>(
                                               std::min(groups.size(), i + gq::kMaxPageSize)));
    }
    pack(std::move(pieces));
    client_.run();
    if (fatal_) return tl::unexpected(*fatal_);
    return std::move(out_);
  }

 private:
  // Sends `pieces` in as few requests as the complexity limit and the query size allow.
  void pack(std::vector<Ids> pieces) {
    std::vector<Ids> batch;
    int total = 0;
    for (Ids& piece : pieces) {
      const int c = static_cast<int>(cost(piece) * scale_ + 0.999);
      // ~250 characters of query text per alias; GitLab takes 10,000 in all.
      if (!batch.empty() &&
          (total + c > limit_ || (batch.size() + 1) * 250 > gq::kMaxQuerySize - 1000)) {
        send(std::move(batch));
        batch.clear();
        total = 0;
      }
      total += c;
      batch.push_back(std::move(piece));
    }
    if (!batch.empty()) send(std::move(batch));
  }

  void send(std::vector<Ids> batch) {
    gq::Query q;
    json values = json::object();
    std::size_t groups = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      q.fields.push_back(alias_for(batch[i], static_cast<int>(i), q.variables, values));
      groups += batch[i].size();
    }
    ++out_.requests;
    auto shared = std::make_shared<std::vector<Ids>>(std::move(batch));
    client_.submit_graphql(
        q.text(), values,
        Subject{"the invited groups' members of " + std::to_string(groups) + " GitLab groups"},
        [this, shared](Result<json> answer) { on_answer(std::move(*shared), std::move(answer)); });
  }

  void on_answer(std::vector<Ids> batch, Result<json> answer) {
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
    const json& data = gq::at(body, "data");
    std::set<std::string> failed;  // aliases with an error somewhere below them
    const json& errors = gq::at(body, "errors");
    for (const json& e : errors.is_array() ? errors : json::array()) {
      const std::string message = gq::string_at(e, "message");
      if (const auto refused = gq::complexity_refusal(message)) {
        limit_ = std::min(limit_, std::max(1, refused->limit));
        int ours = 0;
        for (const Ids& ids : batch) ours += cost(ids);
        if (ours > 0 && refused->score > ours) {
          scale_ = std::max(scale_, static_cast<double>(refused->score) / ours);
        }
        split(std::move(batch));
        return;
      }
      if (!data.is_object()) {
        fatal_ =
            Error{ErrorCode::kInvalidResponse,
                  "GitLab's GraphQL API refused the invited groups' members query: " + message};
        return;
      }
      const json& path = gq::at(e, "path");
      if (path.is_array() && !path.empty() && path[0].is_string()) {
        failed.insert(path[0].get<std::string>());
      }
    }
    if (!data.is_object()) {
      fatal_ = Error{ErrorCode::kInvalidResponse, "GitLab's GraphQL answer has no data."};
      return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::string alias = "a" + std::to_string(i);
      if (failed.count(alias) != 0) continue;  // unanswered: left out
      const json& nodes = gq::at(gq::at(data, alias), "nodes");
      for (const json& node : nodes.is_array() ? nodes : json::array()) {
        const auto id = id_of_gid(gq::at(node, "id"));
        if (!id || std::find(batch[i].begin(), batch[i].end(), *id) == batch[i].end()) continue;
        const json& members = gq::at(node, "groupMembers");
        const json& listed = gq::at(members, "nodes");
        const json& more = gq::at(gq::at(members, "pageInfo"), "hasNextPage");
        if (!listed.is_array() || !more.is_boolean()) continue;
        out_.groups[*id] = SharedMembersAnswer{!listed.empty() || more.get<bool>()};
      }
    }
  }

  // GitLab refused the request for its complexity: the same questions in smaller requests.
  void split(std::vector<Ids> batch) {
    if (batch.size() == 1 && batch.front().size() == 1) return;  // cannot be smaller: unanswered
    std::vector<Ids> pieces;
    for (Ids& ids : batch) {
      if (batch.size() > 1 || ids.size() == 1) {
        pieces.push_back(std::move(ids));
        continue;
      }
      const auto mid = static_cast<std::ptrdiff_t>(ids.size() / 2);
      pieces.emplace_back(ids.begin(), ids.begin() + mid);
      pieces.emplace_back(ids.begin() + mid, ids.end());
    }
    if (pieces.size() > 1 && batch.size() > 1) {
      // Half the aliases in each request.
      const auto mid = static_cast<std::ptrdiff_t>(pieces.size() / 2);
      send(
          {std::make_move_iterator(pieces.begin()), std::make_move_iterator(pieces.begin() + mid)});
      send({std::make_move_iterator(pieces.begin() + mid), std::make_move_iterator(pieces.end())});
      return;
    }
    for (Ids& piece : pieces) send({std::move(piece)});
  }

  Client& client_;
  int limit_;
  double scale_ = 1.0;  // GitLab's score over ours, when it ever scored a query higher
  std::optional<Error> fatal_;
  SharedMembersProbe out_;
};

}  // namespace

Result<SharedMembersProbe> probe_shared_members(Client& client, const std::vector<gl::Id>& groups,
                                                int complexity_limit) {
  if (groups.empty()) return SharedMembersProbe{};
  return Prober(client, complexity_limit).run(groups);
}

}  // namespace provisio::gitlab
