#include "app/settings.hpp"

#include <charconv>

#include "core/ip_address.hpp"

namespace provisio::app {
namespace {

// The first value present, in order of precedence, with the name of its source for messages.
template <typename T>
struct Picked {
  const T* value = nullptr;
  std::string source;
};

template <typename T>
Picked<T> pick(const std::optional<T>& flag, std::string_view flag_name,
               const std::optional<T>& env, std::string_view env_name) {
  if (flag) return {&*flag, "the option " + std::string(flag_name)};
  if (env) return {&*env, "the environment variable " + std::string(env_name)};
  return {};
}

Status check_not_empty(const std::string& value, const std::string& source) {
  if (!value.empty()) return {};
  return make_error(ErrorCode::kInvalidArgument, source + " must not be empty.");
}

bool is_log_level(std::string_view level) {
  return level == "trace" || level == "debug" || level == "info" || level == "warn" ||
         level == "error";
}

}  // namespace

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

Result<Settings> resolve_settings(const FileValues& file, const EnvValues& env,
                                  const FlagValues& flags) {
  Settings out;
  const auto in_file = [&](std::string_view key) {
    return "the key '" + std::string(key) + "' of the configuration file " + file.source;
  };

  // Strings: flag, then environment, then file, then default.
  struct StringSetting {
    std::string& target;
    const std::optional<std::string>& flag;
    std::string_view flag_name;
    const std::optional<std::string>& env;
    std::string_view env_name;
    const std::optional<std::string>& from_file;
    std::string_view key;
    bool may_be_empty;
  };
  const StringSetting strings[] = {
      {out.data_dir, flags.data_dir, "--data-dir", env.data_dir, "PROVISIO_DATA_DIR", file.data_dir,
       "data_dir", false},
      {out.db, flags.db, "--db", env.db, "PROVISIO_DB", file.db, "db", false},
      {out.server_url, flags.server_url, "--server-url", env.server_url, "PROVISIO_SERVER_URL",
       file.server_url, "server_url", true},
      {out.bind, flags.bind, "--bind", env.bind, "PROVISIO_BIND", file.bind, "bind", false},
      {out.log_level, flags.log_level, "--log-level", env.log_level, "PROVISIO_LOG_LEVEL",
       file.log_level, "log_level", false},
      {out.ui_dir, flags.ui_dir, "--ui-dir", env.ui_dir, "PROVISIO_UI_DIR", file.ui_dir, "ui_dir",
       false},
      {out.trusted_proxies, flags.trusted_proxies, "--trusted-proxies", env.trusted_proxies,
       "PROVISIO_TRUSTED_PROXIES", file.trusted_proxies, "trusted_proxies", true},
  };
  for (const StringSetting& s : strings) {
    auto picked = pick(s.flag, s.flag_name, s.env, s.env_name);
    if (!picked.value && s.from_file) picked = {&*s.from_file, in_file(s.key)};
    if (!picked.value) continue;
    if (!s.may_be_empty) {
      if (auto ok = check_not_empty(*picked.value, picked.source); !ok) {
        return tl::unexpected(ok.error());
      }
    }
    s.target = *picked.value;
  }
  if (!is_log_level(out.log_level)) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "'" + out.log_level + "' is not a log level (trace, debug, info, warn or error).");
  }
  {
    auto picked = pick(flags.trusted_proxies, "--trusted-proxies", env.trusted_proxies,
                       "PROVISIO_TRUSTED_PROXIES");
    if (!picked.value && file.trusted_proxies)
      picked = {&*file.trusted_proxies, in_file("trusted_proxies")};
    if (auto ranges = parse_address_ranges(out.trusted_proxies); !ranges) {
      return make_error(ErrorCode::kInvalidArgument, picked.source + ": " + ranges.error().message);
    }
  }

  // Connection limits: a count from 1 to 1,000,000.
  struct CountSetting {
    std::size_t& target;
    const std::optional<std::string>& flag;
    std::string_view flag_name;
    const std::optional<std::string>& env;
    std::string_view env_name;
    const std::optional<std::int64_t>& from_file;
    std::string_view key;
  };
  const CountSetting counts[] = {
      {out.max_connections, flags.max_connections, "--max-connections", env.max_connections,
       "PROVISIO_MAX_CONNECTIONS", file.max_connections, "max_connections"},
      {out.max_connections_per_address, flags.max_connections_per_address,
       "--max-connections-per-address", env.max_connections_per_address,
       "PROVISIO_MAX_CONNECTIONS_PER_ADDRESS", file.max_connections_per_address,
       "max_connections_per_address"},
  };
  constexpr std::int64_t kMaxCount = 1'000'000;
  for (const CountSetting& c : counts) {
    std::int64_t value = 0;
    std::string source;
    const auto picked = pick(c.flag, c.flag_name, c.env, c.env_name);
    if (picked.value) {
      source = picked.source;
      const std::string& text = *picked.value;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) value = 0;
    } else if (c.from_file) {
      source = in_file(c.key);
      value = *c.from_file;
    } else {
      continue;
    }
    if (value < 1 || value > kMaxCount) {
      return make_error(ErrorCode::kInvalidArgument,
                        source + " must be a number of connections from 1 to 1000000.");
    }
    c.target = static_cast<std::size_t>(value);
  }

  const auto allow_http = pick(flags.gitlab_allow_http, "--gitlab-allow-http",
                               env.gitlab_allow_http, "PROVISIO_GITLAB_ALLOW_HTTP");
  if (allow_http.value) {
    if (*allow_http.value != "true" && *allow_http.value != "false") {
      return make_error(
          ErrorCode::kInvalidArgument,
          allow_http.source + " must be true or false, not '" + *allow_http.value + "'.");
    }
    out.gitlab_allow_http = *allow_http.value == "true";
  } else if (file.gitlab_allow_http) {
    out.gitlab_allow_http = *file.gitlab_allow_http;
  }

  // The default database lives in the data directory, wherever that is.
  if (out.db.empty()) out.db = "sqlite:" + out.data_dir + "/provisio.db";

  const auto port = pick(flags.port, "--port", env.port, "PROVISIO_PORT");
  if (port.value) {
    const auto parsed = parse_port(*port.value);
    if (!parsed) {
      return make_error(ErrorCode::kInvalidArgument,
                        port.source + ": '" + *port.value + "' is not a port number (0 to 65535).");
    }
    out.port = *parsed;
  } else if (file.port) {
    if (*file.port < 0 || *file.port > 65535) {
      return make_error(ErrorCode::kInvalidArgument, in_file("port") + ": " +
                                                         std::to_string(*file.port) +
                                                         " is not a port number (0 to 65535).");
    }
    out.port = static_cast<std::uint16_t>(*file.port);
  }
  return out;
}

}  // namespace provisio::app
