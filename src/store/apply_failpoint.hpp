#pragma once
// Test-only failpoints of the bulk path, so that the crash-safety tests choose exactly where a
// sync dies instead of guessing with timers. Each is an environment variable, read once per
// process; when none is set (always, outside tests) nothing here does anything.
//   PROVISIO_TEST_KILL_AT_ROW=N        the process kills itself (SIGKILL) as soon as an apply has
//                                      written N rows, inside its open transaction;
//   PROVISIO_TEST_STOP_AT_ROW=N        it stops itself (SIGSTOP) there instead, once, until a
//                                      SIGCONT: a test can back the database up meanwhile;
//   PROVISIO_TEST_KILL_AFTER_COMMIT=1  it kills itself right after an apply's commit, before the
//                                      task records its outcome.
// Before it signals itself it writes one line to stderr saying which failpoint fired and at
// which row, so that a test can tell where the process ended.
// Rows are counted as the bulk statements write them (store/bulk.hpp): every row of every
// statement of the apply, audit rows included. A statement that would pass row N is cut there.
#include <cstddef>

namespace provisio::store::failpoint {

// While alive, the rows this thread writes through batched() count towards the failpoints.
// apply() opens one inside its transaction.
class ApplyScope {
 public:
  ApplyScope();
  ~ApplyScope();
  ApplyScope(const ApplyScope&) = delete;
  ApplyScope& operator=(const ApplyScope&) = delete;
};

// How many more rows this thread's apply may write before a row failpoint fires; SIZE_MAX when
// none is armed or no ApplyScope is alive on this thread.
std::size_t rows_left();

// Counts `rows` written by this thread's apply; fires a row failpoint whose row is reached.
void wrote(std::size_t rows);

// Called right after an apply's commit: fires PROVISIO_TEST_KILL_AFTER_COMMIT.
void committed();

}  // namespace provisio::store::failpoint
