#include <iostream>

#include "app/commands.hpp"
#include "app/database.hpp"
#include "app/export_json.hpp"

namespace provisio::app {
namespace {

int fail(std::string_view message) {
  std::cerr << "provisio export: " << message << "\n";
  return kExitFailure;
}

}  // namespace

int run_export(const Settings& settings) {
  auto store = open_database(settings, OpenMode::kExisting);
  if (!store) return fail("cannot open the database: " + store.error().message);
  // Export only reads: it never migrates, so exporting a backup does not change it.
  auto version = (*store)->schema_version();
  if (!version) return fail(version.error().message);
  if (*version < 1) {
    return fail("the database has no schema yet; run `provisio migrate` first.");
  }
  if (*version < store::latest_schema_version()) {
    return fail("the database schema is at version " + std::to_string(*version) +
                ", older than this Provisio's " + std::to_string(store::latest_schema_version()) +
                "; run `provisio migrate` first.");
  }
  if (*version > store::latest_schema_version()) {
    return fail("the database schema is at version " + std::to_string(*version) +
                ", newer than this Provisio knows; use the newer Provisio.");
  }
  auto state = (*store)->load_state();
  if (!state) return fail(state.error().message);
  auto json = export_json(*state);
  if (!json) return fail(json.error().message);
  std::cout << json->dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
            << std::endl;
  return kExitOk;
}

}  // namespace provisio::app
