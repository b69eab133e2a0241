#include "store/database_url.hpp"

namespace provisio::store {

std::string DatabaseUrl::redacted() const {
  if (kind == Kind::kSqlite) return "sqlite:" + sqlite_path;
  // postgresql://user:secret@host/db -> postgresql://user:***@host/db
  std::string out = postgresql_uri;
  const auto scheme_end = out.find("://");
  const auto at = out.find('@', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (scheme_end != std::string::npos && at != std::string::npos) {
    const auto colon = out.find(':', scheme_end + 3);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  const auto pw = out.find("password=");
  if (pw != std::string::npos) {
    const auto end = out.find('&', pw);
    out.replace(pw + 9, (end == std::string::npos ? out.size() : end) - pw - 9, "***");
  }
  return out;
}

Result<DatabaseUrl> parse_database_url(std::string_view url) {
  DatabaseUrl out;
  if (url.rfind("sqlite:", 0) == 0) {
    out.kind = DatabaseUrl::Kind::kSqlite;
    out.sqlite_path = std::string(url.substr(7));
    if (out.sqlite_path.rfind("//", 0) == 0) out.sqlite_path.erase(0, 2);  // sqlite://path
    if (out.sqlite_path.empty()) {
      return make_error(
          ErrorCode::kInvalidArgument,
          "The database URL 'sqlite:' needs a file path, e.g. sqlite:data/provisio.db.");
    }
    return out;
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    out.kind = DatabaseUrl::Kind::kPostgresql;
    out.postgresql_uri = std::string(url);
    return out;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "Unsupported database URL: use sqlite:PATH or "
                    "postgresql://user:pass@host:port/db.");
}

}  // namespace provisio::store
