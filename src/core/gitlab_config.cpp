#include "core/gitlab_config.hpp"

namespace provisio {

std::string normalize_gitlab_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Status validate(const GitlabConfig& config) {
  const std::string& url = config.url;
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "The GitLab URL must start with https:// or http://.");
  }
  if (url.find_first_of(" \t\r\n") != std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument, "The GitLab URL must not contain spaces.");
  }
  if (config.provisioning_type == ProvisioningType::kAutoProvisioning) {
    if (!config.enabled) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Automatic provisioning needs GitLab authentication enabled: enable the "
                        "configuration first.");
    }
    if (!config.provisioning_token || config.provisioning_token->empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Automatic provisioning needs a provisioning token.");
    }
    if (config.allowed_groups.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Automatic provisioning needs at least one allowed group.");
    }
  }
  for (const std::string& g : config.allowed_groups) {
    if (g.empty() || g.find('/') != std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument,
                        "Allowed groups are root-group slugs without '/': '" + g + "' is not one.");
    }
  }
  return {};
}

}  // namespace provisio
