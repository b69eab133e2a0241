#include "app/gitlab_check.hpp"

#include <algorithm>
#include <chrono>

#include "core/random.hpp"
#include "core/token_health.hpp"
#include "gitlab/client.hpp"
#include "gitlab/curl_transport.hpp"
#include "gitlab/errors.hpp"
#include "sync/snapshot_reader.hpp"

namespace provisio::app {
namespace {

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

// GitLab answered that the token itself is no good: unknown, expired, revoked.
bool refuses_token(const Error& e) { return e.code == ErrorCode::kUnauthenticated; }

}  // namespace

GitlabCheckResult check_gitlab(const GitlabConfig& config, Millis now,
                               std::chrono::milliseconds timeout) {
  gitlab::CurlOptions curl;
  curl.connect_timeout = timeout;
  gitlab::CurlTransport transport(curl);
  if (!config.provisioning_token) {
    if (config.provisioning_type == ProvisioningType::kAutoProvisioning) {
      return std::optional<std::string>("Automatic provisioning needs a provisioning token.");
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
  GitlabCheckResult out;
  auto token = client.token_self();
  if (!token) {
    out.error = token.error().message;
    if (refuses_token(token.error())) out.field = "provisioningToken";
    return out;
  }
  const TokenHealth health = token_health(*token, sync::date_of(now));
  out.warnings = health.warnings;
  if (health.error) {
    out.error = health.error;
    out.field = "provisioningToken";
    return out;
  }
  if (config.provisioning_type != ProvisioningType::kAutoProvisioning) return out;
  for (const std::string& slug : config.allowed_groups) {
    // Read as the sync reads it, so that the words are the run's.
    auto group = sync::read_allowed_root(client, slug);
    if (!group) {
      const Error& e = group.error();
      out.error = e.message;
      if (refuses_token(e)) {
        out.field = "provisioningToken";
      } else if (e.code == ErrorCode::kNotFound || e.code == ErrorCode::kFailedPrecondition ||
                 e.code == ErrorCode::kPermissionDenied) {
        out.field = "allowedGroups";
        out.allowed_group = slug;
      }
      return out;
    }
  }
  return out;
}

std::optional<std::string> check_gitlab_config(const GitlabConfig& config,
                                               std::chrono::milliseconds timeout) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return check_gitlab(config, now, timeout).error;
}

}  // namespace provisio::app
