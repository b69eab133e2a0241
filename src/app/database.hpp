#pragma once
// Opening the database the settings name, as every command that needs it does: the key file
// `<data_dir>/secret.key` is opened (created on first use), then the store. Does not migrate.

#include <memory>

#include "app/settings.hpp"
#include "core/error.hpp"
#include "store/store.hpp"

namespace provisio::app {

enum class OpenMode {
  kCreate,    // creates the data directory, and an SQLite file when absent (serve, migrate)
  kExisting,  // kFailedPrecondition when the SQLite file does not exist (read-only commands)
};

// kInvalidArgument for a malformed database URL; other errors as the store reports them.
Result<std::unique_ptr<store::Store>> open_database(const Settings& settings, OpenMode mode);

// The key file's SecretBox (created on first use): the store's, and the server's for sealing
// short-lived cookies.
Result<std::shared_ptr<store::SecretBox>> open_secret_box(const Settings& settings);

}  // namespace provisio::app
