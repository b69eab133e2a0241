#pragma once
// The subcommands of `provisio`. Each returns the process's exit code: 0 on success, 1 when the
// work failed (the message is on stderr). Settings were checked before (bad ones exit with 2).

#include <optional>
#include <string>

#include "app/settings.hpp"

namespace provisio::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Opens and migrates the database, creates the built-in admin on first start (with
// admin_password, or a generated password printed once), serves HTTP until SIGTERM or SIGINT.
int run_serve(const Settings& settings, const std::optional<std::string>& admin_password);

// Applies the migrations and prints the schema version.
int run_migrate(const Settings& settings);

// Prints the authorization state as JSON (export_json.hpp). Refuses an unmigrated database.
int run_export(const Settings& settings);

// Copies the SQLite database to `output` with SQLite's online backup (safe while the server
// runs) and the key file to `output`.key. For PostgreSQL, says to use pg_dump instead.
int run_backup(const Settings& settings, const std::string& output);

// `provisio admin reset-password`: a new password for a local user (`login`, default admin),
// generated and printed once, or read from standard input; the user's sessions end, and an
// inactive user is reactivated. Works on the database, whether the server runs or not.
struct ResetPasswordOptions {
  std::string login;  // empty: admin
  bool password_stdin = false;
};
int run_reset_password(const Settings& settings, const ResetPasswordOptions& options);

// Restores a backup made by run_backup into the settings' database, which must not exist yet;
// refuses a file that is not a Provisio database or was made by a newer version.
int run_restore(const Settings& settings, const std::string& input);

}  // namespace provisio::app
