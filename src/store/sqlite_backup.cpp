#include "store/sqlite_backup.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace provisio::store {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, CloseDb>;

// A connection to `path`, or the message of why there is none.
Result<DbHandle> open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return make_error(ErrorCode::kUnavailable,
                      "Cannot open " + path + ": " +
                          (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) + ".");
  }
  // A server holding the write lock for a moment must not fail the copy.
  sqlite3_busy_timeout(db.get(), 10'000);
  return db;
}

// The single text value of a one-row query, or nothing.
std::optional<std::string> query_text(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) return std::nullopt;
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  if (sqlite3_step(raw) != SQLITE_ROW) return std::nullopt;
  const unsigned char* text = sqlite3_column_text(raw, 0);
  return text != nullptr ? std::optional<std::string>(reinterpret_cast<const char*>(text))
                         : std::optional<std::string>("");
}

// Copies every page of `source` into `target`. Retries while a writer holds a lock.
Status backup(sqlite3* source, sqlite3* target, const std::string& what) {
  sqlite3_backup* raw = sqlite3_backup_init(target, "main", source, "main");
  if (raw == nullptr) {
    return make_error(ErrorCode::kUnavailable,
                      "Cannot start the copy of " + what + ": " + sqlite3_errmsg(target) + ".");
  }
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 600; ++attempt) {
    rc = sqlite3_backup_step(raw, -1);  // all pages at once: one consistent read
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  sqlite3_backup_finish(raw);
  if (rc != SQLITE_DONE) {
    return make_error(ErrorCode::kUnavailable,
                      "The copy of " + what + " failed: " + sqlite3_errstr(rc) + ".");
  }
  return {};
}

}  // namespace

Status copy_sqlite_database(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (!std::filesystem::exists(from, ec)) {
    return make_error(ErrorCode::kNotFound, "There is no database at " + from + ".");
  }
  if (std::filesystem::exists(to, ec)) {
    return make_error(ErrorCode::kAlreadyExists,
                      to + " already exists; choose another file, or remove it first.");
  }
  const std::string partial = to + ".partial";
  std::filesystem::remove(partial, ec);
  {
    auto source = open(from, SQLITE_OPEN_READONLY);
    if (!source) return tl::unexpected(source.error());
    auto target = open(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!target) return tl::unexpected(target.error());
    if (auto copied = backup(source->get(), target->get(), from); !copied) {
      target->reset();
      std::filesystem::remove(partial, ec);
      return copied;
    }
    // One self-contained file: the copy keeps no write-ahead log beside it.
    query_text(target->get(), "PRAGMA journal_mode=DELETE");
  }
  std::filesystem::rename(partial, to, ec);
  if (ec) {
    std::filesystem::remove(partial, ec);
    return make_error(ErrorCode::kUnavailable, "Cannot write " + to + ": " + ec.message() + ".");
  }
  return {};
}

Result<int> inspect_sqlite_database(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ErrorCode::kInvalidArgument, path + " is not a file.");
  }
  auto db = open(path, SQLITE_OPEN_READONLY);
  if (!db) return tl::unexpected(db.error());
  const auto check = query_text(db->get(), "PRAGMA quick_check");
  if (!check) {
    return make_error(ErrorCode::kInvalidArgument, path + " is not a SQLite database.");
  }
  if (*check != "ok") {
    return make_error(ErrorCode::kInvalidArgument,
                      path + " is damaged (SQLite's check says: " + *check + ").");
  }
  const auto tables =
      query_text(db->get(),
                 "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                 "('schema_migrations', 'users')");
  if (!tables || *tables != "2") {
    return make_error(ErrorCode::kInvalidArgument,
                      path + " is a SQLite database, but not a Provisio database.");
  }
  const auto version = query_text(db->get(), "SELECT MAX(version) FROM schema_migrations");
  if (!version || version->empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      path + " is a Provisio database without a schema version.");
  }
  return std::stoi(*version);
}

}  // namespace provisio::store
