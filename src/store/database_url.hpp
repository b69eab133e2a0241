#pragma once
// The database URL of api.md: `sqlite:PATH` (the default `sqlite:data/provisio.db`) or
// `postgresql://user:pass@host:port/db` (also `postgres://`, and libpq's query parameters).

#include <string>

#include "core/error.hpp"

namespace provisio::store {

struct DatabaseUrl {
  enum class Kind { kSqlite, kPostgresql };
  Kind kind = Kind::kSqlite;
  std::string sqlite_path;     // for kSqlite
  std::string postgresql_uri;  // for kPostgresql: passed to libpq as it is

  // The URL with any password replaced by "***", for logs and messages.
  std::string redacted() const;
};

Result<DatabaseUrl> parse_database_url(std::string_view url);

}  // namespace provisio::store
