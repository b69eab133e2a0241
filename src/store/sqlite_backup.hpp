#pragma once
// Copies of a SQLite database made with SQLite's online backup API (sqlite3_backup_*): a
// consistent snapshot even while a server writes to the file (WAL mode lets it go on writing).
// `provisio backup` and `provisio restore` use these. The raw SQLite calls live in this file's
// implementation only: SOCI's headers wrap sqlite3.h in their own namespace.
//
// Threading: each call opens its own connections; any thread.

#include <string>

#include "core/error.hpp"

namespace provisio::store {

// Copies the database at `from` into the new file `to`, written under a temporary name and
// renamed when complete, so an interrupted copy never leaves a file that looks whole.
// kAlreadyExists when `to` exists, kNotFound when `from` does not, kUnavailable when SQLite
// fails (its message names the file).
Status copy_sqlite_database(const std::string& from, const std::string& to);

// The schema version of the Provisio database in the file at `path`, read without changing it.
// kInvalidArgument when the file is not a SQLite database, fails SQLite's integrity check, or
// is not a Provisio database (no schema_migrations or users table).
Result<int> inspect_sqlite_database(const std::string& path);

}  // namespace provisio::store
