#pragma once
// Versioned schema migrations. Each has a number and SQL written once for both databases, with
// {pk} and {bigint} replaced by the dialect's spelling. Applied in order, each in its own
// transaction, and recorded in schema_migrations. Never edit a released migration: add one.

#include <string>
#include <vector>

#include "store/sql.hpp"

namespace provisio::store {

struct Migration {
  int version;
  std::string name;
  std::vector<std::string> statements;
};

const std::vector<Migration>& migrations();

// The statement with the dialect's spellings substituted.
std::string render(const std::string& statement, sql::Dialect dialect);

}  // namespace provisio::store
