#include "store/sql.hpp"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/stat.h>

#include <stdexcept>

namespace provisio::store::sql {
namespace {

std::string sqlite_connect_string(const std::string& path) {
  // SOCI's sqlite3 backend takes "db=PATH timeout=SECONDS"; quote the path for spaces.
  std::string quoted = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return "db=" + quoted + " timeout=10";
}

// SOCI reads "postgresql://..." as its own backend URL and mangles it, so hand libpq the
// keyword form ("host='...' port='...'"), parsed from the URI by libpq itself.
std::string postgresql_conninfo(const std::string& uri) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &err);
  if (options == nullptr) {
    std::string message = err != nullptr ? err : "invalid connection URI";
    if (err != nullptr) PQfreemem(err);
    throw std::invalid_argument("The PostgreSQL URL is not valid: " + message);
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    out += std::string(o->keyword) + "='";
    for (const char* c = o->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') out.push_back('\\');
      out.push_back(*c);
    }
    out += "' ";
  }
  PQconninfoFree(options);
  return out;
}

}  // namespace

Db::Db(const DatabaseUrl& url, int connections)
    : dialect_(url.kind == DatabaseUrl::Kind::kSqlite ? Dialect::kSqlite : Dialect::kPostgresql),
      pool_(std::make_unique<soci::connection_pool>(static_cast<std::size_t>(connections))) {
  for (int i = 0; i < connections; ++i) {
    soci::session& s = pool_->at(static_cast<std::size_t>(i));
    if (dialect_ == Dialect::kSqlite) {
      // The file holds password hashes: readable by its owner only (SQLite gives the -wal and
      // -shm files the database file's mode).
      const mode_t old_mask = ::umask(077);
      s.open(*soci::factory_sqlite3(), sqlite_connect_string(url.sqlite_path));
      ::umask(old_mask);
      // WAL: readers never block the writer; foreign keys for ON DELETE CASCADE; a busy
      // timeout so concurrent writers queue instead of failing.
      s << "PRAGMA journal_mode=WAL";
      s << "PRAGMA synchronous=NORMAL";
      s << "PRAGMA foreign_keys=ON";
      s << "PRAGMA busy_timeout=10000";
    } else {
      s.open(*soci::factory_postgresql(), postgresql_conninfo(url.postgresql_uri));
      s << "SET client_min_messages TO WARNING";
    }
  }
}

Tx::Tx(Lease& lease) : session_(*lease) {
  session_ << (lease.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Tx::~Tx() {
  if (done_) return;
  try {
    session_ << "ROLLBACK";
  } catch (...) {  // NOLINT(bugprone-empty-catch): the connection is gone; nothing to undo
  }
}

void Tx::commit() {
  session_ << "COMMIT";
  done_ = true;
}

ReadTx::ReadTx(Lease& lease) : session_(*lease) {
  session_ << (lease.dialect() == Dialect::kSqlite
                   ? "BEGIN"
                   : "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

ReadTx::~ReadTx() {
  try {
    session_ << "COMMIT";
  } catch (...) {  // NOLINT(bugprone-empty-catch): a read-only transaction; nothing lost
  }
}

Error error_from_exception(const std::exception& e) {
  // SOCI's what() appends the statement and its bound values, which may be secrets (a password
  // hash, a sealed token): keep only the database's own message.
  const auto* soci_error = dynamic_cast<const soci::soci_error*>(&e);
  const std::string what = soci_error != nullptr ? soci_error->get_error_message() : e.what();
  if (dynamic_cast<const std::invalid_argument*>(&e) != nullptr) {
    return {ErrorCode::kInvalidArgument, what};
  }
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const std::string state = pg->sqlstate();
    if (state == "23505") return {ErrorCode::kAlreadyExists, "Already exists: " + what};
    if (state == "23503" || state == "23502" || state == "23514") {
      return {ErrorCode::kInvalidArgument, "Refused by the database: " + what};
    }
    if (state == "40001" || state == "40P01") return {ErrorCode::kAborted, what};
    if (state.rfind("08", 0) == 0 || state == "57P01") {
      return {ErrorCode::kUnavailable, "The database is unreachable: " + what};
    }
    return {ErrorCode::kInternal, "Database error: " + what};
  }
  if (what.find("UNIQUE constraint failed") != std::string::npos) {
    return {ErrorCode::kAlreadyExists, "Already exists: " + what};
  }
  if (what.find("constraint failed") != std::string::npos) {
    return {ErrorCode::kInvalidArgument, "Refused by the database: " + what};
  }
  if (what.find("database is locked") != std::string::npos ||
      what.find("unable to open") != std::string::npos ||
      what.find("Cannot establish connection") != std::string::npos ||
      what.find("connection") != std::string::npos) {
    return {ErrorCode::kUnavailable, "The database is unavailable: " + what};
  }
  return {ErrorCode::kInternal, "Database error: " + what};
}

std::string Binder::add(long long v) {
  ints_.push_back(v);
  const std::string name = "p" + std::to_string(next_++);
  statement_.exchange(soci::use(ints_.back(), name));
  return ":" + name;
}

std::string Binder::add(const std::string& v) {
  strings_.push_back(v);
  const std::string name = "p" + std::to_string(next_++);
  statement_.exchange(soci::use(strings_.back(), name));
  return ":" + name;
}

std::string Binder::add(const std::optional<std::string>& v) {
  strings_.push_back(v.value_or(""));
  indicators_.push_back(v ? soci::i_ok : soci::i_null);
  const std::string name = "p" + std::to_string(next_++);
  statement_.exchange(soci::use(strings_.back(), indicators_.back(), name));
  return ":" + name;
}

std::string Binder::add(const std::optional<long long>& v) {
  ints_.push_back(v.value_or(0));
  indicators_.push_back(v ? soci::i_ok : soci::i_null);
  const std::string name = "p" + std::to_string(next_++);
  statement_.exchange(soci::use(ints_.back(), indicators_.back(), name));
  return ":" + name;
}

template <typename T>
T& Binder::slot(std::deque<T>& values, std::size_t& cursor) {
  if (cursor >= values.size()) {
    throw std::logic_error("a reused statement was given more values than it binds");
  }
  return values[cursor++];
}

std::string Binder::value(const Value& value) {
  if (rewound_) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, long long>) {
            slot(ints_, int_cursor_) = x;
          } else if constexpr (std::is_same_v<T, std::string>) {
            slot(strings_, string_cursor_) = x;
          } else if constexpr (std::is_same_v<T, std::optional<long long>>) {
            slot(ints_, int_cursor_) = x.value_or(0);
            slot(indicators_, indicator_cursor_) = x ? soci::i_ok : soci::i_null;
          } else {
            slot(strings_, string_cursor_) = x.value_or("");
            slot(indicators_, indicator_cursor_) = x ? soci::i_ok : soci::i_null;
          }
        },
        value.v);
    return {};  // the statement's text is already prepared
  }
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, long long>) {
          ints_.push_back(x);
          statement_.exchange(soci::use(ints_.back()));
        } else if constexpr (std::is_same_v<T, std::string>) {
          strings_.push_back(x);
          statement_.exchange(soci::use(strings_.back()));
        } else if constexpr (std::is_same_v<T, std::optional<long long>>) {
          ints_.push_back(x.value_or(0));
          indicators_.push_back(x ? soci::i_ok : soci::i_null);
          statement_.exchange(soci::use(ints_.back(), indicators_.back()));
        } else {
          strings_.push_back(x.value_or(""));
          indicators_.push_back(x ? soci::i_ok : soci::i_null);
          statement_.exchange(soci::use(strings_.back(), indicators_.back()));
        }
      },
      value.v);
  std::string placeholder = ":p" + std::to_string(next_++);
  if (value.cast == nullptr) return placeholder;
  return "CAST(" + placeholder + " AS " + value.cast + ")";
}

void Binder::rewind() {
  rewound_ = true;
  int_cursor_ = string_cursor_ = indicator_cursor_ = 0;
}

long long Binder::rerun() {
  if (int_cursor_ != ints_.size() || string_cursor_ != strings_.size() ||
      indicator_cursor_ != indicators_.size()) {
    throw std::logic_error("a reused statement was given fewer values than it binds");
  }
  statement_.execute(true);
  return statement_.get_affected_rows();
}

std::string Binder::row(std::initializer_list<Value> values) {
  std::string out = "(";
  for (const Value& v : values) {
    if (out.size() > 1) out += ", ";
    out += value(v);
  }
  out += ")";
  return out;
}

long long Binder::execute(const std::string& sql) {
  statement_.alloc();
  statement_.prepare(sql);
  statement_.define_and_bind();
  statement_.execute(true);
  return statement_.get_affected_rows();
}

bool Binder::query(const std::string& sql) {
  statement_.alloc();
  statement_.prepare(sql);
  statement_.define_and_bind();
  return statement_.execute(true);
}

}  // namespace provisio::store::sql
