#pragma once
// The single GitLab configuration (behaviour.md §1, §2). Secrets are held here in clear only in
// memory; the store keeps them encrypted and no API ever returns them.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace provisio {

enum class ProvisioningType { kJit, kAutoProvisioning };
std::string_view to_string(ProvisioningType t);  // "JIT" | "AUTO_PROVISIONING"
std::optional<ProvisioningType> parse_provisioning_type(std::string_view s);

inline constexpr std::string_view kDefaultGitlabUrl = "https://gitlab.com";

struct GitlabConfig {
  bool enabled = false;
  std::string application_id;
  std::string url = std::string(kDefaultGitlabUrl);
  std::optional<std::string> secret;  // OAuth application secret
  bool synchronize_groups = false;
  ProvisioningType provisioning_type = ProvisioningType::kJit;
  // Root-group slugs in the order the administrator typed them (the page shows them so), no
  // repeats. Their order never changes what a sync reads.
  std::vector<std::string> allowed_groups;
  bool allow_users_to_sign_up = true;
  std::optional<std::string> provisioning_token;
  std::optional<std::string> webhook_secret;
  // "JIT may manage these privileged groups" (behaviour.md §2): names of our groups holding a
  // global administrative permission that Just-in-Time group sync may still join and leave.
  std::set<std::string> jit_privileged_groups;
  // Set by the store when a stored secret could not be decrypted (the URL was changed in the
  // database, or the key file is not the database's): that secret reads as unset.
  bool secrets_unreadable = false;
};

// Drops trailing slashes: "https://gitlab.example.com/" -> "https://gitlab.example.com".
std::string normalize_gitlab_url(std::string url);

// True for a URL whose host is a loopback address ("localhost", 127.0.0.0/8, "[::1]").
bool is_loopback_url(std::string_view url);

// The rules that hold for any stored configuration: an https URL (http only to a loopback
// address, where nothing crosses a network, or when `allow_http` says the operator accepts it),
// automatic provisioning only when enabled, with a token and at least one allowed group.
Status validate(const GitlabConfig& config, bool allow_http = false);

}  // namespace provisio
