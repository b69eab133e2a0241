#include "app/environment.hpp"

#include <cstdlib>

namespace provisio::app {

std::optional<std::string> process_getenv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

EnvValues read_environment(const Getenv& getenv) {
  EnvValues out;
  out.db = getenv("PROVISIO_DB");
  out.port = getenv("PROVISIO_PORT");
  out.data_dir = getenv("PROVISIO_DATA_DIR");
  out.server_url = getenv("PROVISIO_SERVER_URL");
  out.bind = getenv("PROVISIO_BIND");
  out.log_level = getenv("PROVISIO_LOG_LEVEL");
  out.ui_dir = getenv("PROVISIO_UI_DIR");
  out.trusted_proxies = getenv("PROVISIO_TRUSTED_PROXIES");
  out.max_connections = getenv("PROVISIO_MAX_CONNECTIONS");
  out.max_connections_per_address = getenv("PROVISIO_MAX_CONNECTIONS_PER_ADDRESS");
  out.gitlab_allow_http = getenv("PROVISIO_GITLAB_ALLOW_HTTP");
  return out;
}

}  // namespace provisio::app
