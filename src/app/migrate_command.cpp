#include <iostream>

#include "app/commands.hpp"
#include "app/database.hpp"

namespace provisio::app {

int run_migrate(const Settings& settings) {
  auto store = open_database(settings, OpenMode::kCreate);
  if (!store) {
    std::cerr << "provisio migrate: cannot open the database: " << store.error().message << "\n";
    return kExitFailure;
  }
  if (auto migrated = (*store)->migrate(); !migrated) {
    std::cerr << "provisio migrate: " << migrated.error().message << "\n";
    return kExitFailure;
  }
  auto version = (*store)->schema_version();
  if (!version) {
    std::cerr << "provisio migrate: " << version.error().message << "\n";
    return kExitFailure;
  }
  std::cout << "Schema version " << *version << std::endl;
  return kExitOk;
}

}  // namespace provisio::app
