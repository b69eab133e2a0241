// `provisio backup` and `provisio restore`: a consistent copy of the SQLite database (SQLite's
// online backup, safe while the server runs) with the key file that decrypts its secrets, and
// its restore into an empty data directory. PostgreSQL has its own tools: the messages say which.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "app/commands.hpp"
#include "store/database_url.hpp"
#include "store/sqlite_backup.hpp"
#include "store/store.hpp"

namespace provisio::app {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& command, const std::string& message) {
  std::cerr << "provisio " << command << ": " << message << "\n";
  return kExitFailure;
}

std::string key_path(const Settings& settings) {
  return (fs::path(settings.data_dir) / "secret.key").string();
}

// A database copy holds password hashes and sealed secrets: every file the command creates (the
// copy, SQLite's journal beside it, the key) is its owner's only, from the moment it exists,
// whatever the umask of the shell that runs it.
void owner_only_files() { ::umask(077); }

std::optional<std::string> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Copies a key file keeping it private (0600): it decrypts the stored GitLab secrets.
Status copy_key(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::none, ec);
  if (!ec) fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) {
    return make_error(ErrorCode::kUnavailable,
                      "Cannot copy the key file " + from + " to " + to + ": " + ec.message() + ".");
  }
  return {};
}

}  // namespace

int run_backup(const Settings& settings, const std::string& output) {
  const std::string cmd = "backup";
  owner_only_files();
  auto url = store::parse_database_url(settings.db);
  if (!url) return fail(cmd, url.error().message);
  if (url->kind == store::DatabaseUrl::Kind::kPostgresql) {
    return fail(cmd,
                "the database is PostgreSQL: back it up with PostgreSQL's own tools, e.g.\n"
                "  pg_dump --format=custom --file provisio.dump '" +
                    url->redacted() +
                    "'\n"
                    "and keep a copy of " +
                    key_path(settings) +
                    " with it (it decrypts the stored GitLab secrets). See "
                    "docs/backup-restore.md.");
  }
  if (auto copied = store::copy_sqlite_database(url->sqlite_path, output); !copied) {
    return fail(cmd, copied.error().message);
  }
  auto version = store::inspect_sqlite_database(output);
  if (!version) {
    std::error_code ec;
    fs::remove(output, ec);
    return fail(cmd,
                "the copy could not be verified, so it was removed: " + version.error().message);
  }
  std::cout << "Backed up " << url->sqlite_path << " (schema version " << *version << ") to "
            << output << "\n";
  std::error_code ec;
  const std::string key_copy = output + ".key";
  if (fs::exists(key_path(settings), ec)) {
    if (fs::exists(key_copy, ec)) return fail(cmd, key_copy + " already exists; remove it first.");
    if (auto copied = copy_key(key_path(settings), key_copy); !copied) {
      return fail(cmd, copied.error().message);
    }
    std::cout << "Copied the key that decrypts its secrets to " << key_copy
              << " (mode 0600): keep it as safe as a password.\n";
  }
  return kExitOk;
}

int run_restore(const Settings& settings, const std::string& input) {
  const std::string cmd = "restore";
  owner_only_files();
  auto url = store::parse_database_url(settings.db);
  if (!url) return fail(cmd, url.error().message);
  if (url->kind == store::DatabaseUrl::Kind::kPostgresql) {
    return fail(cmd,
                "the database is PostgreSQL: restore a pg_dump file with pg_restore into an "
                "empty database, e.g.\n  pg_restore --no-owner --dbname '" +
                    url->redacted() + "' provisio.dump\nand put the key file back in " +
                    key_path(settings) + ". See docs/backup-restore.md.");
  }
  auto version = store::inspect_sqlite_database(input);
  if (!version) return fail(cmd, version.error().message);
  if (*version > store::latest_schema_version()) {
    return fail(cmd, input + " was made by a newer Provisio (schema version " +
                         std::to_string(*version) + "; this one knows up to " +
                         std::to_string(store::latest_schema_version()) +
                         "). Restore it with that version.");
  }
  std::error_code ec;
  const std::string& target = url->sqlite_path;
  if (fs::exists(target, ec)) {
    return fail(cmd, "there is already a database at " + target +
                         "; restore writes only into an empty data directory. Stop the server, "
                         "move that file (and its -wal and -shm files) aside, and run the "
                         "restore again.");
  }
  // The key: the backup's own, unless the data directory already holds exactly that one.
  const std::string key_copy = input + ".key";
  const bool have_key_copy = fs::exists(key_copy, ec);
  if (have_key_copy && fs::exists(key_path(settings), ec) &&
      read_bytes(key_copy) != read_bytes(key_path(settings))) {
    return fail(cmd, key_path(settings) + " holds another key than the backup's (" + key_copy +
                         "); restore into an empty data directory.");
  }
  // A data directory made here is private: it will hold the key and the database.
  if (!fs::exists(settings.data_dir, ec) && fs::create_directories(settings.data_dir, ec)) {
    fs::permissions(settings.data_dir, fs::perms::owner_all, ec);
  }
  const fs::path parent = fs::path(target).parent_path();
  if (!ec && !parent.empty()) fs::create_directories(parent, ec);
  if (ec) {
    return fail(cmd, "cannot create the data directory " + settings.data_dir + " (or " +
                         parent.string() + "): " + ec.message() + ".");
  }
  if (auto copied = store::copy_sqlite_database(input, target); !copied) {
    return fail(cmd, copied.error().message);
  }
  std::cout << "Restored " << input << " (schema version " << *version << ") to " << target << "\n";
  if (have_key_copy && !fs::exists(key_path(settings), ec)) {
    if (auto copied = copy_key(key_copy, key_path(settings)); !copied) {
      return fail(cmd, copied.error().message);
    }
    std::cout << "Restored the key file " << key_path(settings) << "\n";
  } else if (!have_key_copy) {
    std::cout << "No key file " << key_copy << " was found: put the original secret.key in "
              << settings.data_dir
              << ", or enter the GitLab secret and token again after the start.\n";
  }
  std::cout << "Start the server on it; migrations run at start.\n";
  return kExitOk;
}

}  // namespace provisio::app
