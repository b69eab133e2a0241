#pragma once
// The server's settings and where they come from. Each source is read into its own struct of
// optional values; resolve_settings() merges them with the precedence
//   command-line flags > environment variables > configuration file > defaults.
// Reading a source (config_file.hpp, environment.hpp) is I/O; the merge is a pure function.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace provisio::app {

inline constexpr std::string_view kDefaultDataDir = "data";
inline constexpr std::uint16_t kDefaultPort = 9000;
inline constexpr std::string_view kDefaultBind = "0.0.0.0";
inline constexpr std::string_view kDefaultLogLevel = "info";
// The built web admin. Relative paths are taken from the working directory, like data_dir: `make
// run` starts the server at the repository's top, where `make build` leaves ui/dist. (Next to
// the binary would break the build tree's layout, where binaries and the UI live apart.)
inline constexpr std::string_view kDefaultUiDir = "ui/dist";

inline constexpr std::size_t kDefaultMaxConnections = 4096;
inline constexpr std::size_t kDefaultMaxConnectionsPerAddress = 256;

struct Settings {
  std::string db;  // a database URL (store/database_url.hpp); default sqlite:<data_dir>/provisio.db
  std::uint16_t port = kDefaultPort;  // 0: any free port
  std::string data_dir = std::string(kDefaultDataDir);
  std::string server_url;  // empty: not set
  std::string bind = std::string(kDefaultBind);
  std::string log_level = std::string(kDefaultLogLevel);  // trace, debug, info, warn or error
  std::string ui_dir = std::string(kDefaultUiDir);        // the web admin's files
  // Proxies allowed to set X-Forwarded-For and X-Forwarded-Proto: addresses and CIDR networks,
  // separated by commas (core/ip_address.hpp); empty: none.
  std::string trusted_proxies;
  std::size_t max_connections = kDefaultMaxConnections;
  std::size_t max_connections_per_address = kDefaultMaxConnectionsPerAddress;
  bool gitlab_allow_http = false;  // http:// GitLab URLs to hosts other than loopback ones
};

// From the TOML file given with --config; keys db, port, data_dir, server_url, bind, log_level,
// ui_dir, trusted_proxies, max_connections, max_connections_per_address, gitlab_allow_http.
struct FileValues {
  std::string source;  // the file's path, for messages
  std::optional<std::string> db;
  std::optional<std::int64_t> port;  // TOML integers are 64-bit; the range is checked in resolve
  std::optional<std::string> data_dir;
  std::optional<std::string> server_url;
  std::optional<std::string> bind;
  std::optional<std::string> log_level;
  std::optional<std::string> ui_dir;
  std::optional<std::string> trusted_proxies;  // a string, or an array of strings joined by ","
  std::optional<std::int64_t> max_connections;
  std::optional<std::int64_t> max_connections_per_address;
  std::optional<bool> gitlab_allow_http;
};

// From PROVISIO_DB, PROVISIO_PORT, PROVISIO_DATA_DIR, PROVISIO_SERVER_URL, PROVISIO_BIND,
// PROVISIO_LOG_LEVEL, PROVISIO_UI_DIR, PROVISIO_TRUSTED_PROXIES, PROVISIO_MAX_CONNECTIONS,
// PROVISIO_MAX_CONNECTIONS_PER_ADDRESS, PROVISIO_GITLAB_ALLOW_HTTP.
struct EnvValues {
  std::optional<std::string> db;
  std::optional<std::string> port;
  std::optional<std::string> data_dir;
  std::optional<std::string> server_url;
  std::optional<std::string> bind;
  std::optional<std::string> log_level;
  std::optional<std::string> ui_dir;
  std::optional<std::string> trusted_proxies;
  std::optional<std::string> max_connections;
  std::optional<std::string> max_connections_per_address;
  std::optional<std::string> gitlab_allow_http;
};

// From --db, --port, --data-dir, --server-url, --bind, --log-level, --ui-dir, --trusted-proxies,
// --max-connections, --max-connections-per-address, --gitlab-allow-http.
struct FlagValues {
  std::optional<std::string> db;
  std::optional<std::string> port;
  std::optional<std::string> data_dir;
  std::optional<std::string> server_url;
  std::optional<std::string> bind;
  std::optional<std::string> log_level;
  std::optional<std::string> ui_dir;
  std::optional<std::string> trusted_proxies;
  std::optional<std::string> max_connections;
  std::optional<std::string> max_connections_per_address;
  std::optional<std::string> gitlab_allow_http;
};

// The merged settings, or kInvalidArgument naming the source of a bad value: a port that is not
// a number in 0..65535, an unknown log level, an empty data directory or bind address, a
// trusted proxy that is neither an address nor a network, a connection limit outside
// 1..1,000,000, a flag that is not true or false. The database URL is checked where it is parsed
// (store::parse_database_url).
Result<Settings> resolve_settings(const FileValues& file, const EnvValues& env,
                                  const FlagValues& flags);

// "9000" -> 9000. Nothing unless text is all decimal digits with a value in 0..65535.
std::optional<std::uint16_t> parse_port(std::string_view text);

}  // namespace provisio::app
