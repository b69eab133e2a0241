#pragma once
// GraphQL queries as the GitLab client builds them: a tree of fields that renders to query text
// and scores itself with GitLab's complexity rule, so a batch is sized to fit GitLab's limit
// before it is sent (docs/gitlab-graphql.md "Complexity"):
//
//   plain field                 1 + its selections
//   field with a resolver       selections + 1 (+1 with a `sort` argument, also when GitLab
//                               defaults it, +5 with `search`); a connection then times
//                               (1 + 0.01 x min(first, 100)), truncated to an integer
//
// (Types::BaseField#complexity_for, Resolvers::BaseResolver.resolver_complexity and
// .complexity_multiplier in GitLab's app/graphql.) Pure.

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace provisio::gitlab::graphql {

// GitLab's maximum (and default) page size of a connection.
inline constexpr int kMaxPageSize = 100;
// GitLab's complexity limit for an authenticated user (administrators get 300).
inline constexpr int kAuthenticatedMaxComplexity = 250;
// GitLab's limit on the query text (GraphqlController::MAX_QUERY_SIZE).
inline constexpr std::size_t kMaxQuerySize = 10'000;

struct Field {
  enum class Kind { kPlain, kResolver, kConnection };
  std::string alias;
  std::string name;
  std::string
      arguments;  // as written inside the parentheses, e.g. `relations: [DIRECT], first: 100`
  Kind kind = Kind::kPlain;
  int first = kMaxPageSize;  // a connection's page size (its `first` argument)
  bool sorted = false;       // a `sort` argument is given or defaulted by GitLab
  std::vector<Field> selections;

  int complexity() const;
  std::string text() const;
};

inline Field leaf(std::string name) { return Field{"", std::move(name), "", Field::Kind::kPlain}; }
inline Field object(std::string name, std::vector<Field> selections) {
  return Field{"",    std::move(name),      "", Field::Kind::kPlain, kMaxPageSize,
               false, std::move(selections)};
}

struct Query {
  std::string variables;  // the variable definitions, e.g. `$g0: [ID!]` (empty: none)
  std::vector<Field> fields;

  int complexity() const;
  std::string text() const;
};

// GitLab's refusal of a query for its complexity, "Query has complexity of 264, which exceeds
// max complexity of 250": the score (0 when not given) and the limit.
struct ComplexityRefusal {
  int score = 0;
  int limit = 0;
};
std::optional<ComplexityRefusal> complexity_refusal(const std::string& message);

// GitLab's 422 for a query text past its size limit ("Query too large"): the same questions go
// again in smaller requests. Never expected at the sizes we send.
bool query_too_large(const Error& error);

}  // namespace provisio::gitlab::graphql
