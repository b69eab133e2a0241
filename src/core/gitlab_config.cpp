#include "core/gitlab_config.hpp"

#include "core/ip_address.hpp"

namespace provisio {

std::string normalize_gitlab_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool is_loopback_url(std::string_view url) {
  constexpr std::string_view kHttp = "http://";
  constexpr std::string_view kHttps = "https://";
  if (url.substr(0, kHttp.size()) == kHttp) {
    url.remove_prefix(kHttp.size());
  } else if (url.substr(0, kHttps.size()) == kHttps) {
    url.remove_prefix(kHttps.size());
  } else {
    return false;
  }
  url = url.substr(0, url.find_first_of("/?#"));
  if (url.find('@') != std::string_view::npos) return false;  // user info: not a plain host
  std::string_view host = url;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    host = host.substr(1, close - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host == "localhost") return true;
  const auto address = parse_ip(host);
  if (!address) return false;
  if (!address->v6) return address->bytes[0] == 127;
  IpAddress loopback;
  loopback.v6 = true;
  loopback.bytes[15] = 1;
  return address->bytes == loopback.bytes;
}

Status validate(const GitlabConfig& config, bool allow_http) {
  const std::string& url = config.url;
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "The GitLab URL must start with https:// or http://.");
  }
  if (url.rfind("http://", 0) == 0 && !allow_http && !is_loopback_url(url)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "The GitLab URL must start with https://: over http:// the provisioning "
                      "token, the OAuth secret and every user's GitLab token would cross the "
                      "network in clear. (http:// is accepted for a loopback address, or for any "
                      "host when the server setting gitlab_allow_http is true.)");
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
