#pragma once
// A parser for the part of GraphQL's query language that Provisio sends to GitLab, and no more:
// operations (`query`, named or not, with variable definitions and defaults), selection sets,
// fields with aliases and arguments, and every kind of input value (variables, numbers, strings,
// booleans, null, enums, lists, input objects). Fragments, directives and block strings are
// refused with a parse error that says so. Errors read like graphql-ruby's (GitLab's parser):
// `Parse error on "}" (RCURLY) at [1, 7]`.
//
// Pure and bounded: nesting deeper than kMaxNesting is refused, so hostile input cannot exhaust
// the stack (fuzz/graphql_query_fuzz.cpp). Thread safety: none needed (no state).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace provisio::sim::graphql {

// Selection sets, lists and input objects nested deeper than this are a parse error.
inline constexpr int kMaxNesting = 64;

struct Location {
  int line = 1;
  int column = 1;
};

struct ObjectField;  // below: an input object's field, which holds a Value

struct Value {
  enum class Kind { kNull, kInt, kFloat, kString, kBoolean, kEnum, kList, kObject, kVariable };
  Kind kind = Kind::kNull;
  std::int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  std::string text;                 // string contents, enum name, or variable name (without '$')
  std::vector<Value> items;         // kList
  std::vector<ObjectField> fields;  // kObject, in the order written
  Location location;
};

struct ObjectField {
  std::string name;
  Value value;
};

// A type reference as written: `[ID!]!` is a non-null list of non-null IDs.
struct TypeRef {
  std::string name;             // named type; empty for a list
  std::shared_ptr<TypeRef> of;  // the item type of a list
  bool non_null = false;
  std::string spelling() const;  // "[ID!]!"
};

struct Argument {
  std::string name;
  Value value;
  Location location;
};

struct Field {
  std::string alias;  // empty when none
  std::string name;
  std::vector<Argument> arguments;
  std::vector<Field> selections;  // empty for a leaf
  Location location;

  const std::string& response_key() const { return alias.empty() ? name : alias; }
  const Argument* argument(std::string_view n) const;
};

struct VariableDefinition {
  std::string name;  // without '$'
  TypeRef type;
  std::optional<Value> default_value;
  Location location;
};

struct Operation {
  std::string type = "query";  // query, mutation or subscription
  std::string name;            // empty when anonymous
  std::vector<VariableDefinition> variables;
  std::vector<Field> selections;
  Location location;
};

struct Document {
  std::vector<Operation> operations;
};

struct ParseError {
  std::string message;
  Location location;
};

tl::expected<Document, ParseError> parse(std::string_view source);

}  // namespace provisio::sim::graphql
