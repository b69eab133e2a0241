#pragma once
// Multi-row statements for the bulk path: many rows per statement, so PostgreSQL pays one round
// trip per few hundred rows instead of one per row. Internal to src/store.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/audit.hpp"
#include "store/apply_failpoint.hpp"
#include "store/sql.hpp"

namespace provisio::store {

// Executes head + "row, row, ..." + tail for chunks of items, where row(b, item) binds one
// item's values and returns its "(...)" text. Returns the rows changed. Every full chunk runs
// the statement prepared for the first one again with new values (Binder::rewind), so a write of
// millions of rows prepares two statements, not thousands.
// `items` is any list with size() and operator[]: a std::vector, or MembershipChanges.
template <typename Items, typename RowFn>
long long batched(sql::Lease& lease, const std::string& head, const std::string& tail,
                  std::size_t params_per_row, const Items& items, RowFn row) {
  long long changed = 0;
  const std::size_t per = sql::rows_per_statement(lease.dialect(), params_per_row);
  std::optional<sql::Binder> full;  // the statement of a full chunk, once prepared
  for (std::size_t start = 0, end = 0; start < items.size(); start = end) {
    // A test's failpoint may cut the statement at the row where it fires (apply_failpoint.hpp).
    end = std::min(items.size(), start + per);
    end = start + std::min(end - start, std::max<std::size_t>(failpoint::rows_left(), 1));
    if (full && end - start == per) {
      full->rewind();
      for (std::size_t i = start; i < end; ++i) row(*full, items[i]);
      changed += full->rerun();
      failpoint::wrote(end - start);
      continue;
    }
    std::optional<sql::Binder> last;  // a shorter chunk: the end of the items
    sql::Binder& b = end - start == per ? full.emplace(*lease) : last.emplace(*lease);
    std::string text = head;
    text.reserve(head.size() + (end - start) * params_per_row * 10 + tail.size());
    for (std::size_t i = start; i < end; ++i) {
      if (i > start) text += ", ";
      text += row(b, items[i]);
    }
    text += tail;
    changed += b.execute(text);
    failpoint::wrote(end - start);
  }
  return changed;
}

// Appends audit rows in batches, inside the caller's transaction.
long long insert_audit(sql::Lease& lease, const std::vector<AuditEntry>& entries);

}  // namespace provisio::store
