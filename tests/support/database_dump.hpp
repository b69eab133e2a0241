#pragma once
// Every row of every table of a database as sorted text, for tests that check that a failed or
// interrupted run changed nothing (or that two databases hold the same state). Rows are sorted, so
// the dump does not depend on the order the database keeps them in.

#include <map>
#include <set>
#include <string>
#include <vector>

namespace provisio::testing {

// table -> its rows, each as "col=value|col=value|...", sorted.
using DatabaseDump = std::map<std::string, std::vector<std::string>>;

// `url` as the server takes it: sqlite:PATH or postgresql://... Tables named in `skip` are left
// out (e.g. "tasks": the task row of a run records the run itself). Throws std::runtime_error
// (SOCI's message) when the database cannot be read.
DatabaseDump dump_database(const std::string& url, const std::set<std::string>& skip = {});

// "" when equal, else the tables that differ with a few rows only in one or the other.
std::string describe_difference(const DatabaseDump& before, const DatabaseDump& after);

// The number of rows of every table of the dump.
std::size_t row_count(const DatabaseDump& dump);

}  // namespace provisio::testing
