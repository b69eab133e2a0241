#include "gitlab/graphql_group_details.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "gitlab/graphql_json.hpp"
#include "gitlab/graphql_members.hpp"
#include "gitlab/graphql_query.hpp"

namespace provisio::gitlab {
namespace {

using nlohmann::json;
namespace gq = graphql;

// groups(ids:) { nodes { id name path fullPath visibility parent { id } } }: GroupType's fields
// (docs/gitlab-graphql.md, "What is read, and how", item 4); complexity 24, far under any limit.
std::string query_text() {
  gq::Query q;
  q.variables = "$ids: [ID!]";
  q.fields.push_back(gq::Field{
      "",
      "groups",
      "ids: $ids, first: " + std::to_string(gq::kMaxPageSize),
      gq::Field::Kind::kConnection,
      gq::kMaxPageSize,
      true,
      {gq::object("nodes",
                  {gq::leaf("id"), gq::leaf("name"), gq::leaf("path"), gq::leaf("fullPath"),
                   gq::leaf("visibility"), gq::object("parent", {gq::leaf("id")})})}});
  return q.text();
}

std::optional<gl::Group> to_group(const json& node) {
  const auto id = id_of_gid(gq::at(node, "id"));
  if (!id) return std::nullopt;
  gl::Group g;
  g.id = *id;
  g.name = gq::string_at(node, "name");
  g.path = gq::string_at(node, "path");
  g.full_path = gq::string_at(node, "fullPath", g.path);
  g.visibility = gq::string_at(node, "visibility", "private");
  const json& parent = gq::at(node, "parent");
  // GitLab shows no parent the caller may not read (GroupType authorizes read_group); REST names
  // it: a subgroup (its path has a '/') without a parent is left to REST.
  if (parent.is_null() && g.full_path.find('/') != std::string::npos) return std::nullopt;
  if (!parent.is_null()) {
    const auto parent_id = id_of_gid(gq::at(parent, "id"));
    if (!parent_id) return std::nullopt;  // a parent we cannot name: REST says it
    g.parent_id = parent_id;
  }
  return g;
}

}  // namespace

Result<std::map<gl::Id, gl::Group>> read_group_details_graphql(Client& client,
                                                               const std::vector<gl::Id>& groups) {
  std::map<gl::Id, gl::Group> out;
  std::optional<Error> fatal;
  const std::string text = query_text();
  for (std::size_t i = 0; i < groups.size(); i += gq::kMaxPageSize) {
    const auto end = std::min(groups.size(), i + gq::kMaxPageSize);
    json ids = json::array();
    for (std::size_t k = i; k < end; ++k) {
      ids.push_back("gid://gitlab/Group/" + std::to_string(groups[k]));
    }
    const std::vector<gl::Id> asked(groups.begin() + static_cast<std::ptrdiff_t>(i),
                                    groups.begin() + static_cast<std::ptrdiff_t>(end));
    client.submit_graphql(
        text, json{{"ids", std::move(ids)}},
        Subject{"the details of " + std::to_string(asked.size()) + " GitLab groups"},
        [&out, &fatal, asked](Result<json> answer) {
          // A batch that fails leaves its groups to REST; the others still count.
          if (!answer) {
            if (!fatal) fatal = answer.error();
            return;
          }
          const json& data = gq::at(*answer, "data");
          if (!data.is_object()) {
            const std::string message = gq::string_at(
                gq::at(*answer, "errors").is_array() && !gq::at(*answer, "errors").empty()
                    ? gq::at(*answer, "errors")[0]
                    : json(),
                "message", "no data");
            if (!fatal) {
              fatal = Error{ErrorCode::kInvalidResponse,
                            "GitLab's GraphQL API refused the group details query: " + message};
            }
            return;
          }
          const json& nodes = gq::at(gq::at(data, "groups"), "nodes");
          for (const json& node : nodes.is_array() ? nodes : json::array()) {
            auto g = to_group(node);
            // Only what was asked: an answer naming another group is not trusted for it.
            if (g && std::find(asked.begin(), asked.end(), g->id) != asked.end()) {
              out[g->id] = std::move(*g);
            }
          }
        });
  }
  client.run();
  if (fatal && out.empty()) return tl::unexpected(*fatal);
  return out;
}

}  // namespace provisio::gitlab
