#pragma once
// Internal to the store: the connection pool, transactions, the dialect, and the conversion of
// database exceptions into Error values. Only files of src/store include this.

#include <soci/soci.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "store/database_url.hpp"

namespace provisio::store::sql {

enum class Dialect { kSqlite, kPostgresql };

// A pool of sessions to one database. Thread-safe.
class Db {
 public:
  // Opens `connections` sessions. Throws soci::soci_error (callers go through guarded()).
  Db(const DatabaseUrl& url, int connections);
  Dialect dialect() const { return dialect_; }
  soci::connection_pool& pool() { return *pool_; }

 private:
  Dialect dialect_;
  std::unique_ptr<soci::connection_pool> pool_;
};

// Borrows a session for the lifetime of the object.
class Lease {
 public:
  explicit Lease(Db& db) : session_(db.pool()), dialect_(db.dialect()) {}
  soci::session& operator*() { return session_; }
  soci::session* operator->() { return &session_; }
  Dialect dialect() const { return dialect_; }

 private:
  soci::session session_;
  Dialect dialect_;
};

// A write transaction. SQLite takes the write lock at BEGIN (IMMEDIATE), so two writers wait
// on the busy timeout instead of failing on a lock upgrade. Rolls back unless committed.
class Tx {
 public:
  explicit Tx(Lease& lease);
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  void commit();

 private:
  soci::session& session_;
  bool done_ = false;
};

// A read-only transaction, so the parts of a read agree with each other (a snapshot on
// PostgreSQL); committed when it ends.
class ReadTx {
 public:
  explicit ReadTx(Lease& lease);
  ~ReadTx();
  ReadTx(const ReadTx&) = delete;
  ReadTx& operator=(const ReadTx&) = delete;

 private:
  soci::session& session_;
};

// Runs f, turning database exceptions into an Error that a person can act on.
Error error_from_exception(const std::exception& e);

template <typename F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return tl::unexpected<Error>(error_from_exception(e));
  }
}

// Values bound to one dynamically built statement, by name (":p0", ":p1", ...), so the order in
// which a expression evaluates its add() calls does not matter. SOCI binds by reference, so the
// values live in deques whose elements never move.
class Binder {
 public:
  explicit Binder(soci::session& s) : statement_(s) {}
  // Each add returns the placeholder to write into the SQL text.
  std::string add(long long v);
  std::string add(const std::string& v);
  std::string add(const std::optional<std::string>& v);
  std::string add(const std::optional<long long>& v);

  // One value of a row of a multi-row statement, optionally wrapped in CAST(... AS type)
  // (PostgreSQL cannot infer the types of a VALUES list outside INSERT).
  struct Value {
    std::variant<long long, std::optional<long long>, std::string, std::optional<std::string>> v;
    const char* cast = nullptr;
    Value(long long x, const char* c = nullptr) : v(x), cast(c) {}  // NOLINT: implicit on purpose
    Value(int x, const char* c = nullptr) : v(static_cast<long long>(x)), cast(c) {}   // NOLINT
    Value(long x, const char* c = nullptr) : v(static_cast<long long>(x)), cast(c) {}  // NOLINT
    Value(std::optional<long long> x, const char* c = nullptr) : v(x), cast(c) {}      // NOLINT
    Value(std::string x, const char* c = nullptr) : v(std::move(x)), cast(c) {}        // NOLINT
    Value(std::optional<std::string> x, const char* c = nullptr)
        : v(std::move(x)), cast(c) {}  // NOLINT
  };
  // Binds the values by position, in order, and returns "(?, ?, ...)". Positional binding keeps
  // a statement with thousands of values linear to prepare; never mix with add() in a statement.
  std::string row(std::initializer_list<Value> values);
  // One positional value, without parentheses.
  std::string value(const Value& v);
  soci::statement& statement() { return statement_; }
  // Prepares and executes `sql`; returns the number of rows it changed.
  long long execute(const std::string& sql);
  // Prepares and executes a query whose columns were bound with into(); true when a first row
  // was fetched. Further rows: statement().fetch().
  bool query(const std::string& sql);

  // Reuse of a prepared multi-row statement for the next rows of the same shape: after
  // rewind(), row() and value() overwrite the values already bound, in the same order and of
  // the same types, instead of binding new ones; rerun() executes the statement again. The
  // statement is prepared once for all the full batches of a bulk write.
  void rewind();
  long long rerun();

 private:
  template <typename T>
  T& slot(std::deque<T>& values, std::size_t& cursor);

  soci::statement statement_;
  std::deque<long long> ints_;
  std::deque<std::string> strings_;
  std::deque<soci::indicator> indicators_;
  int next_ = 0;
  bool rewound_ = false;
  std::size_t int_cursor_ = 0, string_cursor_ = 0, indicator_cursor_ = 0;
};

// How many values one multi-row statement binds. PostgreSQL gains from large statements (one
// round trip each). SQLite has no round trips, and SOCI's SQLite backend is quadratic in the
// values of a statement it prepares; since batched() prepares one statement per bulk write and
// reuses it (Binder::rewind), that cost is paid once, and ~1000 values are a little faster than
// 128 (bench_store_bulk: memberships 290k -> 350k rows/s).
inline std::size_t max_params(Dialect d) { return d == Dialect::kSqlite ? 960 : 4000; }
inline std::size_t rows_per_statement(Dialect d, std::size_t params_per_row) {
  return std::max<std::size_t>(1, max_params(d) / std::max<std::size_t>(1, params_per_row));
}

}  // namespace provisio::store::sql
