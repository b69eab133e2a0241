#include "app/database.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

#include "app/logfmt.hpp"

namespace provisio::app {

Result<std::unique_ptr<store::Store>> open_database(const Settings& settings, OpenMode mode) {
  auto url = store::parse_database_url(settings.db);
  if (!url) return tl::unexpected(url.error());

  std::error_code ec;
  if (mode == OpenMode::kExisting) {
    // SQLite would create an empty file, and the command would then report "no schema".
    if (url->kind == store::DatabaseUrl::Kind::kSqlite &&
        !std::filesystem::exists(url->sqlite_path, ec)) {
      return make_error(ErrorCode::kFailedPrecondition,
                        "there is no database at " + url->sqlite_path +
                            "; run `provisio migrate` (or `provisio serve`) first.");
    }
  } else if (std::filesystem::create_directories(settings.data_dir, ec); ec) {
    return make_error(ErrorCode::kUnavailable, "Cannot create the data directory " +
                                                   settings.data_dir + ": " + ec.message() + ".");
  }
  auto box = open_secret_box(settings);
  if (!box) return tl::unexpected(box.error());

  spdlog::info(logfmt("opening the database", {{"db", url->redacted()}}));
  return store::open_store(*url, *box);
}

Result<std::shared_ptr<store::SecretBox>> open_secret_box(const Settings& settings) {
  return store::SecretBox::open_key_file(
      (std::filesystem::path(settings.data_dir) / "secret.key").string());
}

}  // namespace provisio::app
