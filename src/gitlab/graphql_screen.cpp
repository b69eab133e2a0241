#include "gitlab/graphql_screen.hpp"

#include <optional>

#include "gitlab/graphql_json.hpp"
#include "gitlab/graphql_members.hpp"
#include "gitlab/graphql_query.hpp"

namespace provisio::gitlab {
namespace {

using nlohmann::json;
namespace gq = graphql;

// Which of GitLab EE's fields the schema has (GitLab FOSS has none of them).
struct Fields {
  bool instance_roles = true;  // Query.memberRoles
  bool group_roles = true;     // Group.memberRoles
  bool pending = true;         // Group.pendingMembers
};

gq::Field roles_field() {
  return gq::Field{"",
                   "memberRoles",
                   "",
                   gq::Field::Kind::kConnection,
                   gq::kMaxPageSize,
                   false,
                   {gq::object("nodes", {gq::object("baseAccessLevel", {gq::leaf("integerValue")}),
                                         gq::leaf("membersCount")}),
                    gq::object("pageInfo", {gq::leaf("hasNextPage")})}};
}

gq::Query build(const std::vector<std::string>& paths, const Fields& fields) {
  gq::Query q;
  if (fields.instance_roles) q.fields.push_back(roles_field());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const std::string p = "p" + std::to_string(i);
    q.variables += (q.variables.empty() ? "" : ", ") + ("$" + p + ": ID!");
    std::vector<gq::Field> selections{gq::object("maxAccessLevel", {gq::leaf("integerValue")})};
    if (fields.group_roles) selections.push_back(roles_field());
    if (fields.pending) {
      selections.push_back(gq::Field{"",
                                     "pendingMembers",
                                     "first: 100",
                                     gq::Field::Kind::kConnection,
                                     gq::kMaxPageSize,
                                     false,
                                     {gq::object("nodes", {gq::object("user", {gq::leaf("id")})}),
                                      gq::object("pageInfo", {gq::leaf("hasNextPage")})}});
    }
    q.fields.push_back(gq::Field{"r" + std::to_string(i), "group", "fullPath: $" + p,
                                 gq::Field::Kind::kResolver, gq::kMaxPageSize, false,
                                 std::move(selections)});
  }
  return q;
}

// A roles connection's answer: the base levels of the roles in use, or nullopt when it does not
// say (missing, errors, more than a page).
std::optional<std::set<int>> levels_in_use(const json& roles) {
  if (!gq::at(roles, "nodes").is_array()) return std::nullopt;
  if (gq::bool_at(gq::at(roles, "pageInfo"), "hasNextPage", true)) return std::nullopt;
  std::set<int> out;
  for (const json& r : roles.at("nodes")) {
    const json& level = gq::at(gq::at(r, "baseAccessLevel"), "integerValue");
    if (!level.is_number_integer()) return std::nullopt;
    const json& count = gq::at(r, "membersCount");
    // Unknown use counts as use.
    if (!count.is_number_integer() || count.get<std::int64_t>() > 0) out.insert(level.get<int>());
  }
  return out;
}

}  // namespace

Result<MemberScreen> screen_members(Client& client, const std::vector<std::string>& root_paths) {
  MemberScreen out;
  Fields fields;
  for (int attempt = 0; attempt < 4; ++attempt) {
    const gq::Query q = build(root_paths, fields);
    json variables = json::object();
    for (std::size_t i = 0; i < root_paths.size(); ++i) {
      variables["p" + std::to_string(i)] = root_paths[i];
    }
    std::optional<Result<json>> answer;
    client.submit_graphql(q.text(), variables, Subject{"the custom roles and pending members"},
                          [&](Result<json> a) { answer = std::move(a); });
    client.run();
    ++out.requests;
    if (!*answer) return tl::unexpected(answer->error());
    const json& body = **answer;
    const json* data = body.is_object() && body.contains("data") && body.at("data").is_object()
                           ? &body.at("data")
                           : nullptr;
    std::set<std::string> failed;  // paths, joined with '/'
    bool retry = false;
    const json& errors = gq::at(body, "errors");
    for (const json& e : errors.is_array() ? errors : json::array()) {
      const json& ext = gq::at(e, "extensions");
      if (data == nullptr && gq::string_at(ext, "code") == "undefinedField") {
        // GitLab FOSS: no custom roles, no awaiting state. Ask again without the field.
        const std::string field = gq::string_at(ext, "fieldName");
        const std::string type = gq::string_at(ext, "typeName");
        if (field == "memberRoles" && type == "Query") fields.instance_roles = false;
        if (field == "memberRoles" && type == "Group") fields.group_roles = false;
        if (field == "pendingMembers") fields.pending = false;
        retry = true;
        continue;
      }
      std::string path;
      const json& parts = gq::at(e, "path");
      for (const json& part : parts.is_array() ? parts : json::array()) {
        path +=
            (path.empty() ? "" : "/") + (part.is_string() ? part.get<std::string>() : part.dump());
      }
      failed.insert(path);
    }
    if (retry) continue;
    if (data == nullptr) {
      std::string message = "no data";
      if (errors.is_array() && !errors.empty())
        message = gq::string_at(errors[0], "message", message);
      return make_error(ErrorCode::kInvalidResponse,
                        "GitLab's GraphQL API refused the custom roles query: " + message);
    }
    std::optional<std::set<int>> instance;
    if (!fields.instance_roles) {
      instance = std::set<int>();
    } else if (!failed.count("memberRoles")) {
      instance = levels_in_use(gq::at(*data, "memberRoles"));
    }
    for (std::size_t i = 0; i < root_paths.size(); ++i) {
      const std::string alias = "r" + std::to_string(i);
      RootScreen& r = out.roots[root_paths[i]];
      const json& group = gq::at(*data, alias);
      if (failed.count(alias) || !group.is_object()) continue;  // everything unknown
      std::optional<std::set<int>> own;
      if (!fields.group_roles) {
        own = std::set<int>();
      } else if (!failed.count(alias + "/memberRoles")) {
        own = levels_in_use(gq::at(group, "memberRoles"));
      }
      const json& level = gq::at(gq::at(group, "maxAccessLevel"), "integerValue");
      // Below Guest, GitLab.com answers an empty list of the group's roles rather than an error.
      const bool own_trusted = own && level.is_number_integer() && level.get<int>() >= 10;
      if (instance || own_trusted) {
        r.roles_known = true;
        if (instance) r.role_levels.insert(instance->begin(), instance->end());
        if (own) r.role_levels.insert(own->begin(), own->end());
      }
      if (!fields.pending) {
        r.awaiting_known = true;
      } else if (!failed.count(alias + "/pendingMembers")) {
        const json& pending = gq::at(group, "pendingMembers");
        if (gq::at(pending, "nodes").is_array() &&
            !gq::bool_at(gq::at(pending, "pageInfo"), "hasNextPage", true)) {
          r.awaiting_known = true;
          for (const json& m : pending.at("nodes")) {
            if (const auto id = id_of_gid(gq::at(gq::at(m, "user"), "id"))) {
              r.awaiting_users.insert(*id);
            }
          }
        }
      }
    }
    return out;
  }
  return make_error(ErrorCode::kInvalidResponse,
                    "GitLab's GraphQL API kept refusing the custom roles query.");
}

}  // namespace provisio::gitlab
