// "Log in with GitLab" (behaviour.md §4): /sessions/init/gitlab sends the browser to GitLab,
// /oauth2/callback/gitlab takes it back, and /api/v2/authentication/providers tells the login
// page whether to offer it. Every failure ends on the login page with a message a person
// understands (in a short-lived cookie the page reads, so no one can put words on our page with
// a crafted link) and a log line with the detail.
#include <spdlog/spdlog.h>

#include <cctype>

#include "auth/oauth_flow.hpp"
#include "auth/tokens.hpp"
#include "core/url.hpp"
#include "http/api_auth.hpp"
#include "http/cookies.hpp"
#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "http/request_input.hpp"

namespace provisio::http {
namespace {

constexpr std::string_view kLoginPage = "/login";
constexpr std::string_view kAuthErrorCookie = "provisio_auth_error";
constexpr Millis kAuthErrorTtl = Millis{5} * 60 * 1000;

HttpResponse redirect(const std::string& location) {
  HttpResponse response;
  response.status = 302;
  response.content_type.clear();
  response.headers.emplace_back("Location", location);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// The login page, with the reason in a cookie its script reads (and clears).
HttpResponse to_login_page(bool secure, const std::string& message) {
  HttpResponse response = redirect(std::string(kLoginPage));
  response.headers.emplace_back("Set-Cookie",
                                cookie_line(kAuthErrorCookie, percent_encode(message),
                                            CookieOptions{kAuthErrorTtl, false, secure}));
  return response;
}

void clear_flow_cookie(HttpResponse& response, bool secure) {
  response.headers.emplace_back(
      "Set-Cookie",
      cookie_line(auth::kOAuthCookie, "", CookieOptions{0, true, secure, auth::kCallbackPath}));
}

constexpr std::string_view kTooMany =
    "Too many sign-in attempts from your network address. Wait a minute, then log in again.";

// A Host header fit to build a URL from: a name or address and an optional port.
bool plausible_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '-' && c != ':' && c != '[' && c != ']') return false;
  }
  return true;
}

std::string server_url(const ApiContext& context, const HttpRequest& request) {
  if (!context.server_url.empty()) return context.server_url;
  const auto host = request.header("Host");
  return "http://" + std::string(host && plausible_host(*host) ? *host : "localhost");
}

std::string redirect_uri(const ApiContext& context, const HttpRequest& request) {
  std::string base = server_url(context, request);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(auth::kCallbackPath);
}

// GitLab's `error` parameter, if it is one of OAuth's plain words; anything else is not shown.
std::string oauth_error_word(std::string_view error) {
  if (error.empty() || error.size() > 40) return "unknown";
  for (const char c : error) {
    if (!std::islower(static_cast<unsigned char>(c)) && c != '_') return "unknown";
  }
  return std::string(error);
}

void log_refusal(const std::string& why, const std::string& detail, const HttpRequest& request) {
  spdlog::warn("GitLab login refused ({}): {}; from {}", why, detail, request.remote_address);
}

}  // namespace

Result<HttpResponse> identity_providers(ApiContext& context, const HttpRequest&, const Caller&) {
  auto config = context.store.load_gitlab_config();
  if (!config) return fail(config);
  Json providers = Json::array();
  if (*config && (*config)->enabled && context.gitlab_login != nullptr) {
    providers.push_back(Json{{"key", "gitlab"},
                             {"name", "GitLab"},
                             {"enabled", true},
                             {"loginUrl", "/sessions/init/gitlab"}});
  }
  return ok(Json{{"providers", std::move(providers)}});
}

Result<HttpResponse> start_gitlab_login(ApiContext& context, const HttpRequest& request,
                                        const Caller&) {
  const bool secure = secure_request(context, request);
  if (!context.gitlab_login_throttle->allow(request.remote_address, context.clock.now())) {
    log_refusal("throttled", "too many sign-in starts from the address", request);
    return to_login_page(secure, std::string(kTooMany));
  }
  auto config = context.store.load_gitlab_config();
  if (!config) return fail(config);
  if (!*config || !(*config)->enabled || context.gitlab_login == nullptr || !context.secrets) {
    log_refusal("not enabled", "no enabled GitLab configuration", request);
    return to_login_page(secure, "Logging in with GitLab is not enabled on this server.");
  }
  const auth::PendingLogin pending =
      auth::new_pending_login(request.query_param("return_to").value_or("/"), context.clock.now());
  const auth::AuthorizeRequest authorize{(*config)->url, (*config)->application_id,
                                         redirect_uri(context, request),
                                         sync::login_scope(**config)};
  // The state, hashed, on the server too: the callback consumes it, so a flow completes once
  // even if its cookie and a fresh code are replayed, on whichever node.
  if (auto saved = context.store.save_oauth_state(auth::secret_hash(pending.state),
                                                  pending.expires_at, context.clock.now());
      !saved) {
    return fail(saved);
  }
  HttpResponse response = redirect(auth::authorize_url(authorize, pending));
  response.headers.emplace_back(
      "Set-Cookie",
      cookie_line(auth::kOAuthCookie, auth::seal_pending(*context.secrets, pending),
                  CookieOptions{auth::kOAuthFlowTtl, true, secure, auth::kCallbackPath}));
  return response;
}

Result<HttpResponse> gitlab_callback(ApiContext& context, const HttpRequest& request,
                                     const Caller&) {
  const bool secure = secure_request(context, request);
  const auto fail_to_login = [&](const std::string& message, const std::string& why,
                                 const std::string& detail) {
    log_refusal(why, detail, request);
    if (context.metrics != nullptr) context.metrics->login("gitlab", "failure");
    HttpResponse response = to_login_page(secure, message);
    clear_flow_cookie(response, secure);  // good once, whatever happened
    return response;
  };
  if (!context.gitlab_login_throttle->allow(request.remote_address, context.clock.now())) {
    return fail_to_login(std::string(kTooMany), "throttled",
                         "too many sign-in callbacks from the address");
  }
  if (context.gitlab_login == nullptr || !context.secrets) {
    return fail_to_login("Logging in with GitLab is not enabled on this server.", "not enabled",
                         "no login service");
  }
  auto pending = auth::open_pending(
      *context.secrets, cookie(request, wire_name(auth::kOAuthCookie, secure, auth::kCallbackPath)),
      context.clock.now());
  if (!pending) {
    return fail_to_login(pending.error().message, "no valid sign-in in progress",
                         "missing, altered or expired flow cookie");
  }
  if (!auth::state_matches(*pending, request.query_param("state").value_or(""))) {
    return fail_to_login(
        "This GitLab sign-in is no longer valid (it expired, was already used, or was started in "
        "another browser). Please log in again.",
        "state mismatch", "the state in the callback is not the one this browser was sent with");
  }
  auto fresh =
      context.store.consume_oauth_state(auth::secret_hash(pending->state), context.clock.now());
  if (!fresh) return fail(fresh);
  if (!*fresh) {
    return fail_to_login(
        "This GitLab sign-in is no longer valid (it expired, was already used, or was started in "
        "another browser). Please log in again.",
        "state already used", "the flow's state was consumed before (a replay) or expired");
  }
  if (auto error = request.query_param("error")) {
    const std::string word = oauth_error_word(*error);
    if (word == "access_denied") {
      return fail_to_login(
          "You did not allow this server to use your GitLab account, so you were not signed in.",
          "consent denied", word);
    }
    return fail_to_login("GitLab did not sign you in (" + word + "). Please try again.",
                         "GitLab error", word);
  }
  const auto code = request.query_param("code");
  if (!code || code->empty()) {
    return fail_to_login("GitLab did not send a sign-in code. Please log in again.", "no code",
                         "the callback has no code");
  }
  auto outcome = context.gitlab_login->complete(
      {std::string(*code), pending->code_verifier, redirect_uri(context, request)});
  if (!outcome) {
    return fail_to_login(outcome.error().message, "refused", outcome.error().detail);
  }
  auto session = context.authenticator.open_session(
      outcome->user, cookie(request, wire_name(kSessionCookie, secure)));
  if (!session) {
    return fail_to_login("The server could not complete your sign-in. Please try again.", "session",
                         session.error().message);
  }
  spdlog::info("GitLab login of {}{} ({} GitLab requests), from {}", outcome->user.login,
               outcome->created ? ", created now" : "", outcome->gitlab_requests,
               request.remote_address);
  for (const std::string& refusal : outcome->refusals) {
    spdlog::warn("Just-in-Time group sync: {} (audited)", refusal);
  }
  if (context.metrics != nullptr) context.metrics->login("gitlab", "success");
  HttpResponse response = redirect(pending->return_to);
  clear_flow_cookie(response, secure);
  add_session_cookies(response, *session, session->expires_at - context.clock.now(), secure);
  return response;
}

}  // namespace provisio::http
