#pragma once
// The part of GitLab's GraphQL schema that gitlab-sim serves: the types, fields and arguments a
// sync reads memberships with (Query.group/groups/project/projects/memberRoles/queryComplexity,
// Group.groupMembers/memberRoles/pendingMembers/descendantGroups, Project.projectMembers, the
// member, user, access level and role types, connections and PageInfo), each field with the
// complexity rule GitLab gives it (app/graphql/types/base_field.rb, docs/gitlab-graphql.md):
//
//   plain      1 + the complexity of its selections
//   constant   N + the complexity of its selections (fields declared `complexity: N`)
//   resolver   selections + 1 (+1 with `sort`, +5 with `search`), and for a connection that
//              times (1 + 0.01 x the page size asked, at most 100), truncated to an integer
//
// Names and types are GitLab's (doc/api/graphql/reference). Pure data; thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace provisio::sim::graphql {

enum class Complexity { kPlain, kConstant, kResolver };

struct ArgumentSpec {
  std::string name;
  std::string type;           // as written in GitLab's schema: "[ID!]", "String", "Int!"
  std::string default_value;  // the default as JSON text, or empty when none
};

struct FieldSpec {
  std::string name;
  std::string type;  // as written: "Group", "String!", "[GroupMember]"
  Complexity complexity = Complexity::kPlain;
  int constant = 1;         // for kConstant
  bool connection = false;  // takes first/after/last/before and multiplies its complexity
  std::vector<ArgumentSpec> arguments;

  const ArgumentSpec* argument(std::string_view n) const;
};

enum class TypeKind { kObject, kScalar, kEnum };

struct TypeSpec {
  std::string name;
  TypeKind kind = TypeKind::kObject;
  std::vector<FieldSpec> fields;         // objects
  std::vector<std::string> enum_values;  // enums

  const FieldSpec* field(std::string_view n) const;
  bool has_value(std::string_view v) const;
};

// The type named `name` (objects, scalars and enums), or nullptr.
const TypeSpec* find_type(std::string_view name);

// "[GroupMember!]!" -> "GroupMember".
std::string named_type(std::string_view spelled);
bool is_list_type(std::string_view spelled);

// GitLab's default and maximum page size of a connection.
inline constexpr int kMaxPageSize = 100;

}  // namespace provisio::sim::graphql
