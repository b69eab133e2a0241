#include "oauth.hpp"

#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "effective_access.hpp"
#include "faults.hpp"
#include "gitlab_errors.hpp"
#include "http/target.hpp"

namespace provisio::sim {
namespace {

using nlohmann::ordered_json;

constexpr std::int64_t kCodeLifetime = 600;

http::HttpResponse oauth_error(int status, const std::string& error,
                               const std::string& description) {
  return json_answer(status,
                     ordered_json{{"error", error}, {"error_description", description}}.dump());
}

http::HttpResponse invalid_client() {
  return oauth_error(401, "invalid_client",
                     "Client authentication failed due to unknown client, no client "
                     "authentication included, or unsupported authentication method.");
}

http::HttpResponse invalid_grant() {
  return oauth_error(400, "invalid_grant",
                     "The provided authorization grant is invalid, expired, revoked, does not "
                     "match the redirection URI used in the authorization request, or was issued "
                     "to another client.");
}

http::HttpResponse redirect(const std::string& location) {
  http::HttpResponse r;
  r.status = 302;
  r.content_type = "text/html";
  r.body = "<html><body>You are being <a href=\"" + location + "\">redirected</a>.</body></html>";
  r.headers.emplace_back("Location", location);
  return r;
}

std::string encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string with_params(const std::string& uri,
                        const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out = uri;
  char sep = uri.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : params) {
    out += sep + k + "=" + encode(v);
    sep = '&';
  }
  return out;
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string s; in >> s;) out.push_back(s);
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

// Form parameters of a POST body, with the query string as a fallback.
std::map<std::string, std::string> form(const http::HttpRequest& request) {
  auto params = http::parse_query(request.body).value_or(std::map<std::string, std::string>{});
  for (const auto& [k, v] : request.query) params.emplace(k, v);
  return params;
}

std::string get(const std::map<std::string, std::string>& m, const std::string& key) {
  const auto it = m.find(key);
  return it == m.end() ? std::string() : it->second;
}

// client_id and client_secret from HTTP Basic or the form.
std::pair<std::string, std::string> client_credentials(
    const http::HttpRequest& request, const std::map<std::string, std::string>& params) {
  if (auto auth = request.header("Authorization"); auth && auth->substr(0, 6) == "Basic ") {
    const std::string b64(auth->substr(6));
    std::string decoded(b64.size(), '\0');
    size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                          b64.c_str(), b64.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) == 0) {
      decoded.resize(len);
      const auto colon = decoded.find(':');
      if (colon != std::string::npos) {
        return {*http::percent_decode(decoded.substr(0, colon), true),
                *http::percent_decode(decoded.substr(colon + 1), true)};
      }
    }
  }
  return {get(params, "client_id"), get(params, "client_secret")};
}

bool is_blocked(const User& u) { return u.state != "active"; }

}  // namespace

bool redirect_uri_allowed(const OAuthApplication& app, const std::string& uri) {
  return std::any_of(app.redirect_uris.begin(), app.redirect_uris.end(),
                     [&](const std::string& pattern) { return path_matches(pattern, uri); });
}

std::string pkce_s256(const std::string& verifier) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(verifier.data()),
                     verifier.size());
  char out[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, digest, sizeof digest,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

OAuthStore::OAuthStore(std::uint64_t seed) : rng_(seed) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to start");
}

void OAuthStore::set_logged_in_user(std::optional<std::string> username) {
  std::lock_guard lock(mutex_);
  logged_in_ = std::move(username);
}

std::optional<std::string> OAuthStore::logged_in_user() const {
  std::lock_guard lock(mutex_);
  return logged_in_;
}

void OAuthStore::set_consent(Consent consent) {
  std::lock_guard lock(mutex_);
  consent_ = std::move(consent);
}

OAuthStore::Consent OAuthStore::consent() const {
  std::lock_guard lock(mutex_);
  return consent_;
}

std::string OAuthStore::new_secret() {
  char out[65];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(out + i * 16, 17, "%016llx", static_cast<unsigned long long>(rng_.next()));
  }
  return std::string(out, 64);
}

std::optional<OAuthGrant> OAuthStore::lookup(const std::string& token, std::int64_t now) const {
  std::lock_guard lock(mutex_);
  const auto it = access_.find(token);
  if (it == access_.end()) return std::nullopt;
  return OAuthGrant{it->second.user_id, it->second.scopes,
                    now >= it->second.created_at + kAccessTokenLifetime, it->second.revoked};
}

http::HttpResponse OAuthStore::authorize(const World& world, const http::HttpRequest& request,
                                         const std::string& base_url, std::int64_t now) {
  const std::string client_id(request.query_param("client_id").value_or(""));
  const std::string redirect_uri(request.query_param("redirect_uri").value_or(""));
  const OAuthApplication* app = world.application_by_client_id(client_id);
  // Doorkeeper shows an error page, not a redirect, when it cannot trust the redirect URI.
  if (app == nullptr) return invalid_client();
  if (!redirect_uri_allowed(*app, redirect_uri)) {
    return oauth_error(400, "invalid_redirect_uri", "The redirect uri included is not valid.");
  }
  const std::string state(request.query_param("state").value_or(""));
  const auto fail = [&](const std::string& error, const std::string& description) {
    std::vector<std::pair<std::string, std::string>> params{{"error", error},
                                                            {"error_description", description}};
    if (!state.empty()) params.emplace_back("state", state);
    return redirect(with_params(redirect_uri, params));
  };
  if (request.query_param("response_type").value_or("") != "code") {
    return fail("unsupported_response_type",
                "The authorization server does not support this response type.");
  }
  std::vector<std::string> scopes = split_scopes(request.query_param("scope").value_or(""));
  if (scopes.empty()) scopes = app->scopes;
  for (const auto& s : scopes) {
    if (std::find(app->scopes.begin(), app->scopes.end(), s) == app->scopes.end()) {
      return fail("invalid_scope", "The requested scope is invalid, unknown, or malformed.");
    }
  }
  const std::string challenge(request.query_param("code_challenge").value_or(""));
  std::string method(request.query_param("code_challenge_method").value_or(""));
  if (!challenge.empty() && method.empty()) method = "plain";
  if (!challenge.empty() && method != "S256" && method != "plain") {
    return fail("invalid_request", "Code challenge method is not supported.");
  }
  std::lock_guard lock(mutex_);
  const User* user = logged_in_ ? world.user_by_username(*logged_in_) : nullptr;
  if (user == nullptr || is_blocked(*user)) return redirect(base_url + "/users/sign_in");
  if (consent_.deny) {
    // Doorkeeper's answer when the user clicks "Deny".
    std::vector<std::pair<std::string, std::string>> params{
        {"error", "access_denied"},
        {"error_description", "The resource owner or authorization server denied the request."}};
    if (!state.empty()) params.emplace_back("state", state);
    return redirect(with_params(redirect_uri, params));
  }
  if (consent_.granted_scopes) scopes = *consent_.granted_scopes;
  const std::string code = new_secret();
  codes_[code] = {client_id, redirect_uri, user->id,           scopes,
                  challenge, method,       now + kCodeLifetime};
  std::vector<std::pair<std::string, std::string>> params{{"code", code}};
  if (!state.empty()) params.emplace_back("state", state);
  return redirect(with_params(redirect_uri, params));
}

http::HttpResponse OAuthStore::issue(Id user_id, std::vector<std::string> scopes,
                                     const std::string& client_id, std::int64_t now) {
  const std::string access = new_secret();
  const std::string refresh = new_secret();
  ordered_json body{
      {"access_token", access},   {"token_type", "bearer"}, {"expires_in", kAccessTokenLifetime},
      {"refresh_token", refresh}, {"created_at", now},      {"scope", join(scopes)}};
  access_[access] = {user_id, std::move(scopes), client_id, refresh, now, false};
  refresh_[refresh] = access;
  http::HttpResponse r = json_answer(200, body.dump());
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

http::HttpResponse OAuthStore::token(const World& world, const http::HttpRequest& request,
                                     std::int64_t now) {
  const auto params = form(request);
  const auto [client_id, client_secret] = client_credentials(request, params);
  const OAuthApplication* app = world.application_by_client_id(client_id);
  if (app == nullptr || (app->confidential && client_secret != app->client_secret)) {
    return invalid_client();
  }
  const std::string grant = get(params, "grant_type");
  std::lock_guard lock(mutex_);
  if (grant == "authorization_code") {
    const auto it = codes_.find(get(params, "code"));
    if (it == codes_.end()) return invalid_grant();
    const Code code = it->second;
    codes_.erase(it);  // a code is good once
    if (code.client_id != client_id || code.redirect_uri != get(params, "redirect_uri") ||
        now > code.expires) {
      return invalid_grant();
    }
    if (!code.challenge.empty()) {
      const std::string verifier = get(params, "code_verifier");
      if (verifier.empty()) {
        return oauth_error(400, "invalid_request",
                           "The request is missing a required parameter: code_verifier.");
      }
      const std::string expected = code.challenge_method == "S256" ? pkce_s256(verifier) : verifier;
      if (expected != code.challenge) return invalid_grant();
    }
    return issue(code.user_id, code.scopes, client_id, now);
  }
  if (grant == "refresh_token") {
    const auto it = refresh_.find(get(params, "refresh_token"));
    if (it == refresh_.end()) return invalid_grant();
    Access& old = access_.at(it->second);
    if (old.revoked || old.client_id != client_id) return invalid_grant();
    // The old access token and refresh token stop working.
    old.revoked = true;
    const Id user_id = old.user_id;
    const auto scopes = old.scopes;
    refresh_.erase(it);
    return issue(user_id, scopes, client_id, now);
  }
  return oauth_error(400, "unsupported_grant_type",
                     "The authorization grant type is not supported by the authorization server.");
}

http::HttpResponse OAuthStore::userinfo(const World& world, const http::HttpRequest& request,
                                        const std::string& base_url, std::string_view today,
                                        std::int64_t now) const {
  const auto token = request_token(request);
  const auto grant = token ? lookup(*token, now) : std::nullopt;
  if (!grant || grant->revoked || grant->expired) {
    http::HttpResponse r = oauth_error(401, "invalid_token", "The access token is invalid");
    r.headers.emplace_back("WWW-Authenticate",
                           "Bearer realm=\"Doorkeeper\", error=\"invalid_token\"");
    return r;
  }
  if (std::find(grant->scopes.begin(), grant->scopes.end(), "openid") == grant->scopes.end()) {
    return insufficient_scope("openid");
  }
  const User* user = world.user(grant->user_id);
  if (user == nullptr) return unauthorized();
  const bool email_scope =
      std::find(grant->scopes.begin(), grant->scopes.end(), "email") != grant->scopes.end();
  std::set<std::string> groups;
  std::map<int, std::vector<std::string>> by_role;
  for (Id g : world.groups_of_user(user->id)) {
    const Member* m = world.member(SourceKind::kGroup, g, user->id);
    const Group* group = world.group(g);
    if (!m || !group || is_expired(m->expires_at, today) || m->access_level < kGuest) continue;
    groups.insert(group->full_path);
    for (Id d : world.descendants(g)) groups.insert(world.group(d)->full_path);
    by_role[m->access_level].push_back(group->full_path);
  }
  ordered_json body{{"sub", std::to_string(user->id)},
                    {"name", user->name},
                    {"nickname", user->username},
                    {"preferred_username", user->username},
                    {"email", email_scope ? user->email : user->public_email},
                    {"email_verified", email_scope},
                    {"website", ""},
                    {"profile", base_url + "/" + user->username},
                    {"picture", base_url + "/uploads/-/system/user/avatar/" +
                                    std::to_string(user->id) + "/avatar.png"},
                    {"groups", std::vector<std::string>(groups.begin(), groups.end())}};
  for (const auto& [level, claim] :
       {std::pair{kOwner, "owner"}, std::pair{kMaintainer, "maintainer"},
        std::pair{kDeveloper, "developer"}}) {
    const auto it = by_role.find(level);
    // GitLab leaves a role claim out when it is empty.
    if (it != by_role.end())
      body[std::string("https://gitlab.org/claims/groups/") + claim] = it->second;
  }
  return json_answer(200, body.dump());
}

http::HttpResponse OAuthStore::token_info(const World& world, const http::HttpRequest& request,
                                          std::int64_t now) const {
  const auto token = request_token(request);
  std::lock_guard lock(mutex_);
  const auto it = token ? access_.find(*token) : access_.end();
  if (it == access_.end() || it->second.revoked ||
      now >= it->second.created_at + kAccessTokenLifetime) {
    return oauth_error(401, "invalid_token", "The access token is invalid");
  }
  const OAuthApplication* app = world.application_by_client_id(it->second.client_id);
  return json_answer(
      200, ordered_json{{"resource_owner_id", it->second.user_id},
                        {"scope", it->second.scopes},
                        {"expires_in", it->second.created_at + kAccessTokenLifetime - now},
                        {"application", {{"uid", app ? app->client_id : it->second.client_id}}},
                        {"created_at", it->second.created_at}}
               .dump());
}

http::HttpResponse OAuthStore::revoke(const World& world, const http::HttpRequest& request) {
  const auto params = form(request);
  const auto [client_id, client_secret] = client_credentials(request, params);
  const OAuthApplication* app = world.application_by_client_id(client_id);
  if (app == nullptr || (app->confidential && client_secret != app->client_secret)) {
    return invalid_client();
  }
  std::lock_guard lock(mutex_);
  const std::string token = get(params, "token");
  if (auto it = access_.find(token); it != access_.end()) it->second.revoked = true;
  if (auto it = refresh_.find(token); it != refresh_.end()) access_.at(it->second).revoked = true;
  return json_answer(200, "{}");
}

}  // namespace provisio::sim
