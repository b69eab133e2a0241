#pragma once
// Users of the server (behaviour.md §1). A user is local (has a password here) or comes from
// GitLab; managed users are owned by automatic provisioning.

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace provisio {

using UserId = std::int64_t;

enum class ExternalProvider { kSonarqube, kGitlab };
std::string_view to_string(ExternalProvider p);
std::optional<ExternalProvider> parse_external_provider(std::string_view s);

struct User {
  UserId id = 0;  // 0 until stored
  std::string uuid;
  std::string login;
  std::string name;
  std::optional<std::string> email;
  bool active = true;
  bool local = false;
  bool managed = false;
  ExternalProvider external_provider = ExternalProvider::kSonarqube;
  std::optional<std::string> external_id;     // GitLab numeric user id, as a string
  std::optional<std::string> external_login;  // GitLab username
  Millis created_at = 0;
  Millis updated_at = 0;
  std::optional<Millis> last_connection_at;
};

}  // namespace provisio
