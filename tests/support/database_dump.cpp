#include "database_dump.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <iterator>
#include <regex>
#include <stdexcept>

namespace provisio::testing {
namespace {

std::string cell(const soci::row& row, std::size_t i) {
  if (row.get_indicator(i) == soci::i_null) return "NULL";
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_string:
    case soci::dt_xml:
    case soci::dt_blob:
      return row.get<std::string>(i);
    case soci::dt_double:
      return std::to_string(row.get<double>(i));
    case soci::dt_integer:
      return std::to_string(row.get<int>(i));
    case soci::dt_long_long:
      return std::to_string(row.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return std::to_string(row.get<unsigned long long>(i));
    case soci::dt_date: {
      const std::tm t = row.get<std::tm>(i);
      char text[32];
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &t);
      return text;
    }
  }
  return "?";
}

// SOCI reads "postgresql://..." as a URL of its own: hand it libpq's keyword form of the test
// cluster's URLs (postgresql://USER@HOST:PORT/NAME, PostgresCluster::create_database).
std::string keyword_form(const std::string& url) {
  std::smatch m;
  if (!std::regex_match(url, m, std::regex("postgres(?:ql)?://([^@/]+)@([^:/]+):([0-9]+)/(.+)"))) {
    throw std::runtime_error("not a test cluster URL: " + url);
  }
  return "user=" + m[1].str() + " host=" + m[2].str() + " port=" + m[3].str() +
         " dbname=" + m[4].str();
}

}  // namespace

DatabaseDump dump_database(const std::string& url, const std::set<std::string>& skip) {
  const bool sqlite = url.rfind("sqlite:", 0) == 0;
  soci::session db;
  if (sqlite) {
    db.open(*soci::factory_sqlite3(), url.substr(7));
  } else {
    db.open(*soci::factory_postgresql(), keyword_form(url));
  }
  std::vector<std::string> tables;
  {
    std::string name;
    soci::statement st =
        (db.prepare << (sqlite ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                 "NOT LIKE 'sqlite_%'"
                               : "SELECT table_name FROM information_schema.tables WHERE "
                                 "table_schema = 'public' AND table_type = 'BASE TABLE'"),
         soci::into(name));
    st.execute();
    while (st.fetch()) tables.push_back(name);
  }
  DatabaseDump out;
  for (const std::string& table : tables) {
    if (skip.count(table) != 0) continue;
    auto& rows = out[table];
    soci::rowset<soci::row> rs = (db.prepare << "SELECT * FROM " + table);
    for (const soci::row& row : rs) {
      std::string text;
      for (std::size_t i = 0; i < row.size(); ++i) {
        text += (i ? "|" : "") + row.get_properties(i).get_name() + "=" + cell(row, i);
      }
      rows.push_back(std::move(text));
    }
    std::sort(rows.begin(), rows.end());
  }
  return out;
}

std::string describe_difference(const DatabaseDump& before, const DatabaseDump& after) {
  std::string out;
  std::set<std::string> tables;
  for (const auto& [t, rows] : before) tables.insert(t);
  for (const auto& [t, rows] : after) tables.insert(t);
  for (const std::string& t : tables) {
    static const std::vector<std::string> kNone;
    const auto& a = before.count(t) ? before.at(t) : kNone;
    const auto& b = after.count(t) ? after.at(t) : kNone;
    if (a == b) continue;
    std::vector<std::string> gone, added;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(gone));
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(added));
    out += "table " + t + ": " + std::to_string(gone.size()) + " rows only before, " +
           std::to_string(added.size()) + " only after\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(3, gone.size()); ++i) {
      out += "  - " + gone[i] + "\n";
    }
    for (std::size_t i = 0; i < std::min<std::size_t>(3, added.size()); ++i) {
      out += "  + " + added[i] + "\n";
    }
  }
  return out;
}

std::size_t row_count(const DatabaseDump& dump) {
  std::size_t n = 0;
  for (const auto& [t, rows] : dump) n += rows.size();
  return n;
}

}  // namespace provisio::testing
