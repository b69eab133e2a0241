#pragma once
// Checks a parsed query against the simulated schema before anything runs, as graphql-ruby does
// for GitLab: the operation to run, every field and argument known, selections where the type
// needs them and none on scalars, variables declared, used and given values of their type.
// Arguments come out coerced (variables substituted, defaults applied), and the query's
// complexity and depth are computed with GitLab's rules (graphql_schema.hpp). Messages and
// extension codes are graphql-ruby's. Pure.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "graphql_parser.hpp"
#include "graphql_schema.hpp"

namespace provisio::sim::graphql {

struct QueryError {
  std::string message;
  std::optional<Location> location;
  nlohmann::ordered_json path;        // null, or the response path
  nlohmann::ordered_json extensions;  // null, or an object

  nlohmann::ordered_json to_json() const;
};

struct BoundField {
  const FieldSpec* spec = nullptr;
  nlohmann::json arguments;  // object: every argument given or defaulted, coerced
};

struct Analysis {
  const Operation* operation = nullptr;
  std::unordered_map<const Field*, BoundField> fields;  // every field of the operation
  int complexity = 0;
  int depth = 0;
};

// `variables`: the request's variables (an object, or null). On failure, the errors to answer
// with (no data).
tl::expected<Analysis, std::vector<QueryError>> analyze(const Document& document,
                                                        const std::string& operation_name,
                                                        const nlohmann::json& variables);

}  // namespace provisio::sim::graphql
