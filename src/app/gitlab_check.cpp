#include "app/gitlab_check.hpp"

#include <algorithm>

#include "core/random.hpp"
#include "gitlab/client.hpp"
#include "gitlab/curl_transport.hpp"
#include "gitlab/errors.hpp"

namespace provisio::app {
namespace {

bool has_scope(const gl::TokenInfo& token, std::string_view scope) {
  return std::find(token.scopes.begin(), token.scopes.end(), scope) != token.scopes.end();
}

// Without a token there is nothing to authenticate: any HTTP answer but a redirect shows that
// GitLab is there.
std::optional<std::string> check_url(const GitlabConfig& config, gitlab::HttpTransport& transport,
                                     std::chrono::milliseconds timeout) {
  gitlab::TransportRequest request;
  request.url = config.url + "/api/v4/version";
  request.timeout = timeout;
  std::optional<gitlab::TransportResponse> answer;
  transport.start(request, [&](gitlab::TransportResponse r) { answer = std::move(r); });
  const Millis deadline = transport.clock().now() + timeout.count() + 1000;
  while (!answer && transport.clock().now() < deadline) transport.wait(deadline);
  if (!answer) return "GitLab did not answer in time at " + config.url + ".";
  const bool fine = answer->failure == gitlab::TransportFailure::kNone &&
                    (answer->status < 300 || answer->status >= 400);
  if (fine) return std::nullopt;
  return gitlab::classify_failure(*answer, request.url, gitlab::Subject{"GitLab's version"})
      .message;
}

}  // namespace

std::optional<std::string> check_gitlab_config(const GitlabConfig& config,
                                               std::chrono::milliseconds timeout) {
  gitlab::CurlOptions curl;
  curl.connect_timeout = timeout;
  gitlab::CurlTransport transport(curl);
  if (!config.provisioning_token) {
    if (config.provisioning_type == ProvisioningType::kAutoProvisioning) {
      return "Automatic provisioning needs a provisioning token.";
    }
    return check_url(config, transport, timeout);
  }
  gitlab::ClientOptions options;
  options.base_url = config.url;
  options.token = *config.provisioning_token;
  options.engine.max_attempts = 1;
  options.engine.max_throttled_attempts = 1;
  options.engine.request_timeout = timeout;
  SeededRandom random;
  gitlab::Client client(options, transport, random);
  auto token = client.token_self();
  if (!token) return token.error().message;
  if (token->revoked) {
    return "The GitLab token was revoked. Create a new token with the read_api scope and save it "
           "as the provisioning token.";
  }
  if (!token->active) {
    return "The GitLab token is not active (expired?). Create a new token with the read_api scope "
           "and save it as the provisioning token.";
  }
  if (!has_scope(*token, "read_api") && !has_scope(*token, "api")) {
    return "The GitLab token lacks the read_api scope: create a token with the read_api scope.";
  }
  if (config.provisioning_type != ProvisioningType::kAutoProvisioning) return std::nullopt;
  for (const std::string& slug : config.allowed_groups) {
    auto group = client.group(slug);
    if (!group) return "The allowed group '" + slug + "': " + group.error().message;
    if (group->parent_id) {
      return "The allowed group '" + slug + "' is not a root group; allow its root group instead.";
    }
  }
  return std::nullopt;
}

}  // namespace provisio::app
