#include "graphql_schema.hpp"

#include <map>

namespace provisio::sim::graphql {
namespace {

using Args = std::vector<ArgumentSpec>;

FieldSpec plain(std::string name, std::string type, Args args = {}) {
  return {std::move(name), std::move(type), Complexity::kPlain, 1, false, std::move(args)};
}

// A field backed by a resolver (Resolvers::BaseResolver's complexity).
FieldSpec resolver(std::string name, std::string type, Args args) {
  return {std::move(name), std::move(type), Complexity::kResolver, 1, false, std::move(args)};
}

// A connection backed by a resolver: the pagination arguments are added.
FieldSpec resolver_connection(std::string name, std::string node_type, Args args) {
  args.push_back({"first", "Int", ""});
  args.push_back({"after", "String", ""});
  args.push_back({"last", "Int", ""});
  args.push_back({"before", "String", ""});
  return {std::move(name), node_type + "Connection", Complexity::kResolver, 1, true,
          std::move(args)};
}

TypeSpec object(std::string name, std::vector<FieldSpec> fields) {
  return {std::move(name), TypeKind::kObject, std::move(fields), {}};
}

TypeSpec enumeration(std::string name, std::vector<std::string> values) {
  return {std::move(name), TypeKind::kEnum, {}, std::move(values)};
}

// GraphQL-ruby's connection and edge types for a node type.
void add_connection(std::map<std::string, TypeSpec, std::less<>>& types, const std::string& node) {
  types.emplace(node + "Connection",
                object(node + "Connection",
                       {plain("nodes", "[" + node + "]"), plain("edges", "[" + node + "Edge]"),
                        plain("pageInfo", "PageInfo!")}));
  types.emplace(node + "Edge",
                object(node + "Edge", {plain("node", node), plain("cursor", "String!")}));
}

std::map<std::string, TypeSpec, std::less<>> build() {
  std::map<std::string, TypeSpec, std::less<>> t;
  for (const char* scalar : {"ID", "String", "Int", "Float", "Boolean", "Time", "MemberRoleID"}) {
    t.emplace(scalar, TypeSpec{scalar, TypeKind::kScalar, {}, {}});
  }
  t.emplace("GroupMemberRelation",
            enumeration("GroupMemberRelation",
                        {"DIRECT", "INHERITED", "DESCENDANTS", "SHARED_FROM_GROUPS"}));
  t.emplace("ProjectMemberRelation",
            enumeration("ProjectMemberRelation", {"DIRECT", "INHERITED", "DESCENDANTS",
                                                  "INVITED_GROUPS", "SHARED_INTO_ANCESTORS"}));
  t.emplace(
      "AccessLevelEnum",
      enumeration("AccessLevelEnum", {"NO_ACCESS", "MINIMAL_ACCESS", "GUEST", "PLANNER", "REPORTER",
                                      "DEVELOPER", "MAINTAINER", "OWNER", "ADMIN"}));
  t.emplace("UserState", enumeration("UserState", {"active", "blocked", "deactivated", "banned",
                                                   "ldap_blocked", "blocked_pending_approval"}));
  t.emplace("MemberSort",
            enumeration("MemberSort", {"ACCESS_LEVEL_ASC", "ACCESS_LEVEL_DESC",
                                       "USER_FULL_NAME_ASC", "USER_FULL_NAME_DESC", "created_desc",
                                       "created_asc", "updated_desc", "updated_asc"}));
  t.emplace("SortDirectionEnum", enumeration("SortDirectionEnum", {"ASC", "DESC"}));
  t.emplace("MemberRolesOrderBy", enumeration("MemberRolesOrderBy", {"NAME", "CREATED_AT", "ID"}));

  t.emplace("Query", object("Query", {resolver("group", "Group", {{"fullPath", "ID!", ""}}),
                                      resolver_connection("groups", "Group",
                                                          {{"ids", "[ID!]", ""},
                                                           {"parentPath", "ID", ""},
                                                           {"includeSubgroups", "Boolean", "false"},
                                                           {"search", "String", ""},
                                                           {"sort", "String", R"("name_asc")"},
                                                           {"topLevelOnly", "Boolean", "false"},
                                                           {"ownedOnly", "Boolean", "false"},
                                                           {"allAvailable", "Boolean", "true"}}),
                                      resolver("project", "Project", {{"fullPath", "ID!", ""}}),
                                      resolver_connection("projects", "Project",
                                                          {{"ids", "[ID!]", ""},
                                                           {"membership", "Boolean", ""},
                                                           {"search", "String", ""},
                                                           {"sort", "String", ""}}),
                                      resolver_connection("memberRoles", "MemberRole",
                                                          {{"id", "MemberRoleID", ""},
                                                           {"ids", "[MemberRoleID!]", ""},
                                                           {"orderBy", "MemberRolesOrderBy", ""},
                                                           {"sort", "SortDirectionEnum", ""}}),
                                      plain("queryComplexity", "QueryComplexity")}));
  t.emplace(
      "Group",
      object("Group",
             {plain("id", "ID!"), plain("name", "String!"), plain("path", "String!"),
              plain("fullName", "String!"), plain("fullPath", "ID!"), plain("visibility", "String"),
              plain("webUrl", "String!"), plain("createdAt", "Time"), plain("parent", "Group"),
              plain("groupMembersCount", "Int!"), plain("maxAccessLevel", "AccessLevel!"),
              resolver_connection(
                  "groupMembers", "GroupMember",
                  {{"relations", "[GroupMemberRelation!]", R"(["DIRECT","INHERITED"])"},
                   {"accessLevels", "[AccessLevelEnum!]", ""},
                   {"search", "String", ""},
                   {"sort", "MemberSort", ""},
                   {"enterprise", "Boolean", ""}}),
              resolver_connection("memberRoles", "MemberRole",
                                  {{"id", "MemberRoleID", ""},
                                   {"ids", "[MemberRoleID!]", ""},
                                   {"orderBy", "MemberRolesOrderBy", ""},
                                   {"sort", "SortDirectionEnum", ""}}),
              resolver_connection("pendingMembers", "PendingMemberInterface", {}),
              // `complexity: 5` in GitLab's GroupType: a constant, not multiplied.
              [] {
                FieldSpec f = resolver_connection(
                    "descendantGroups", "Group",
                    {{"includeParentDescendants", "Boolean", "true"}, {"search", "String", ""}});
                f.complexity = Complexity::kConstant;
                f.constant = 5;
                return f;
              }()}));
  t.emplace("Project",
            object("Project",
                   {plain("id", "ID!"), plain("name", "String!"), plain("path", "String!"),
                    plain("fullPath", "ID!"), plain("nameWithNamespace", "String!"),
                    plain("visibility", "String"), plain("archived", "Boolean"),
                    plain("webUrl", "String"), plain("group", "Group"),
                    resolver_connection(
                        "projectMembers", "MemberInterface",
                        {{"relations", "[ProjectMemberRelation!]", R"(["DIRECT","INHERITED"])"},
                         {"search", "String", ""},
                         {"sort", "MemberSort", ""}})}));
  const std::vector<FieldSpec> member_fields = {plain("id", "ID!"),
                                                plain("accessLevel", "AccessLevel"),
                                                plain("expiresAt", "Time"),
                                                plain("createdAt", "Time"),
                                                plain("updatedAt", "Time"),
                                                plain("user", "UserCore"),
                                                plain("createdBy", "UserCore")};
  t.emplace("MemberInterface", object("MemberInterface", member_fields));
  {
    std::vector<FieldSpec> f = member_fields;
    f.push_back(plain("group", "Group"));
    t.emplace("GroupMember", object("GroupMember", std::move(f)));
  }
  {
    std::vector<FieldSpec> f = member_fields;
    for (auto extra : {plain("username", "String"), plain("name", "String"),
                       plain("invited", "Boolean"), plain("approved", "Boolean")}) {
      f.push_back(std::move(extra));
    }
    t.emplace("PendingMemberInterface", object("PendingMemberInterface", std::move(f)));
  }
  t.emplace("UserCore",
            object("UserCore",
                   {plain("id", "ID!"), plain("username", "String!"), plain("name", "String!"),
                    plain("state", "UserState!"), plain("bot", "Boolean!"),
                    plain("publicEmail", "String"), plain("webUrl", "String!")}));
  t.emplace("AccessLevel", object("AccessLevel", {plain("integerValue", "Int"),
                                                  plain("stringValue", "AccessLevelEnum"),
                                                  plain("humanAccess", "String")}));
  t.emplace("MemberRole",
            object("MemberRole",
                   {plain("id", "MemberRoleID!"), plain("name", "String!"),
                    plain("description", "String"), plain("baseAccessLevel", "AccessLevel!"),
                    plain("membersCount", "Int"), plain("usersCount", "Int")}));
  t.emplace(
      "PageInfo",
      object("PageInfo", {plain("hasNextPage", "Boolean!"), plain("hasPreviousPage", "Boolean!"),
                          plain("startCursor", "String"), plain("endCursor", "String")}));
  t.emplace("QueryComplexity",
            object("QueryComplexity", {plain("score", "Int"), plain("limit", "Int")}));
  for (const char* node : {"Group", "Project", "GroupMember", "MemberInterface",
                           "PendingMemberInterface", "MemberRole"}) {
    add_connection(t, node);
  }
  return t;
}

const std::map<std::string, TypeSpec, std::less<>>& types() {
  static const auto all = build();
  return all;
}

}  // namespace

const ArgumentSpec* FieldSpec::argument(std::string_view n) const {
  for (const ArgumentSpec& a : arguments) {
    if (a.name == n) return &a;
  }
  return nullptr;
}

const FieldSpec* TypeSpec::field(std::string_view n) const {
  for (const FieldSpec& f : fields) {
    if (f.name == n) return &f;
  }
  return nullptr;
}

bool TypeSpec::has_value(std::string_view v) const {
  for (const std::string& value : enum_values) {
    if (value == v) return true;
  }
  return false;
}

const TypeSpec* find_type(std::string_view name) {
  const auto& all = types();
  const auto it = all.find(name);
  return it == all.end() ? nullptr : &it->second;
}

std::string named_type(std::string_view spelled) {
  std::string out;
  for (const char c : spelled) {
    if (c != '[' && c != ']' && c != '!') out += c;
  }
  return out;
}

bool is_list_type(std::string_view spelled) { return !spelled.empty() && spelled.front() == '['; }

}  // namespace provisio::sim::graphql
