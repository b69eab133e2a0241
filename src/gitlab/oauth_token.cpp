#include "gitlab/oauth_token.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/url.hpp"

namespace provisio::gitlab {
namespace {

std::string form_body(const CodeExchange& e) {
  const std::pair<const char*, const std::string*> fields[] = {{"grant_type", nullptr},
                                                               {"client_id", &e.client_id},
                                                               {"client_secret", &e.client_secret},
                                                               {"code", &e.code},
                                                               {"redirect_uri", &e.redirect_uri},
                                                               {"code_verifier", &e.code_verifier}};
  std::string body;
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body += '&';
    body += std::string(name) + "=" + (value ? percent_encode(*value) : "authorization_code");
  }
  return body;
}

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string s; in >> s;) out.push_back(s);
  return out;
}

Error refused(const TransportResponse& r) {
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  const std::string error = body.is_object() && body.contains("error") && body["error"].is_string()
                                ? body["error"].get<std::string>()
                                : std::string();
  if (error == "invalid_client") {
    return {ErrorCode::kUnauthenticated,
            "GitLab does not accept the application ID or secret of the GitLab configuration "
            "(invalid_client)."};
  }
  if (error == "invalid_grant") {
    return {ErrorCode::kUnauthenticated,
            "GitLab refused the sign-in code: it expired, was already used, or was issued for "
            "another redirect URI (invalid_grant)."};
  }
  return {ErrorCode::kUnauthenticated, "GitLab refused the sign-in code (HTTP " +
                                           std::to_string(r.status) +
                                           (error.empty() ? "" : ", " + error) + ")."};
}

}  // namespace

Result<OAuthTokens> exchange_code(HttpTransport& transport, const CodeExchange& exchange) {
  TransportRequest request;
  request.method = "POST";
  request.url = exchange.base_url + "/oauth/token";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = form_body(exchange);
  request.timeout = exchange.timeout;

  std::optional<TransportResponse> answer;
  transport.start(std::move(request), [&](TransportResponse r) { answer = std::move(r); });
  const Millis deadline = transport.clock().now() + exchange.timeout.count() + 1'000;
  while (!answer && transport.clock().now() < deadline) transport.wait(deadline);
  if (!answer) {
    return make_error(ErrorCode::kUnavailable, "GitLab did not answer the sign-in in time.");
  }
  const TransportResponse& r = *answer;
  const std::string where = exchange.base_url + "/oauth/token";
  switch (r.failure) {
    case TransportFailure::kNone:
      break;
    case TransportFailure::kTimeout:
      return make_error(ErrorCode::kUnavailable, "GitLab did not answer in time at " + where + ".");
    case TransportFailure::kConnection:
    case TransportFailure::kUnreachable:
      return make_error(ErrorCode::kUnavailable,
                        "GitLab cannot be reached at " + where + ": " + r.failure_detail + ".");
  }
  if (r.status >= 500) {
    return make_error(ErrorCode::kUnavailable,
                      "GitLab failed at " + where + " (HTTP " + std::to_string(r.status) + ").");
  }
  if (r.status != 200) return tl::unexpected(refused(r));
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string() ||
      body["access_token"].get<std::string>().empty()) {
    return make_error(ErrorCode::kInvalidResponse,
                      "GitLab's answer at " + where + " holds no access token.");
  }
  OAuthTokens tokens;
  tokens.access_token = body["access_token"].get<std::string>();
  if (body.contains("scope") && body["scope"].is_string()) {
    tokens.scopes = split_scopes(body["scope"].get<std::string>());
  }
  return tokens;
}

}  // namespace provisio::gitlab
