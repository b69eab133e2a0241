#include "auth.hpp"

#include <algorithm>
#include <charconv>

#include "effective_access.hpp"
#include "gitlab_errors.hpp"

namespace provisio::sim {
namespace {

bool has_any(const std::vector<std::string>& scopes, std::initializer_list<std::string_view> any) {
  return std::any_of(scopes.begin(), scopes.end(), [&](const std::string& s) {
    return std::find(any.begin(), any.end(), s) != any.end();
  });
}

bool is_blocked(const User& user) {
  return user.state == "blocked" || user.state == "ldap_blocked" || user.state == "banned" ||
         user.state == "blocked_pending_approval";
}

// The user named by `Sudo`: an id or a username.
const User* sudo_target(const World& world, std::string_view who) {
  Id id = 0;
  const auto [end, ec] = std::from_chars(who.data(), who.data() + who.size(), id);
  if (ec == std::errc() && end == who.data() + who.size()) return world.user(id);
  return world.user_by_username(std::string(who));
}

}  // namespace

std::optional<std::string> request_token(const http::HttpRequest& request) {
  if (auto pat = request.header("PRIVATE-TOKEN"); pat && !pat->empty()) return std::string(*pat);
  if (auto auth = request.header("Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (auth->size() > kBearer.size() &&
        std::equal(kBearer.begin(), kBearer.end(), auth->begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return std::string(auth->substr(kBearer.size()));
    }
  }
  if (auto q = request.query_param("private_token"); q && !q->empty()) return std::string(*q);
  if (auto q = request.query_param("access_token"); q && !q->empty()) return std::string(*q);
  return std::nullopt;
}

tl::expected<Caller, http::HttpResponse> authenticate(const World& world,
                                                      const http::HttpRequest& request,
                                                      const AuthRule& rule, std::string_view today,
                                                      const OAuthLookup& oauth) {
  const auto secret = request_token(request);
  if (!secret) {
    if (rule.anonymous_ok) return Caller{};
    return tl::unexpected(unauthorized());
  }
  Caller caller;
  if (const Token* token = world.token_by_secret(*secret)) {
    if (token->revoked) return tl::unexpected(token_revoked());
    if (is_expired(token->expires_at, today)) return tl::unexpected(token_expired());
    caller.token = token;
    caller.user = world.user(token->user_id);
    caller.scopes = token->scopes;
  } else if (auto grant = oauth ? oauth(*secret) : std::nullopt) {
    if (grant->revoked) return tl::unexpected(token_revoked());
    if (grant->expired) return tl::unexpected(token_expired());
    caller.user = world.user(grant->user_id);
    caller.scopes = grant->scopes;
    caller.oauth = true;
  }
  if (caller.user == nullptr) return tl::unexpected(unauthorized());
  if (is_blocked(*caller.user)) return tl::unexpected(forbidden("Your account has been blocked."));

  switch (rule.need) {
    case Need::kAnyScope:
      break;
    case Need::kReadUser:
      if (!has_any(caller.scopes, {"api", "read_api", "read_user"})) {
        return tl::unexpected(insufficient_scope("api read_api read_user"));
      }
      break;
    case Need::kReadApi:
      if (!has_any(caller.scopes, {"api", "read_api"})) {
        return tl::unexpected(insufficient_scope("api read_api"));
      }
      break;
  }

  auto sudo = request.header("Sudo");
  if (!sudo) sudo = request.query_param("sudo");
  if (sudo && !sudo->empty()) {
    if (!caller.user->is_admin) return tl::unexpected(forbidden("Must be admin to use sudo"));
    if (!has_any(caller.scopes, {"sudo"})) return tl::unexpected(insufficient_scope("sudo"));
    const User* target = sudo_target(world, *sudo);
    if (target == nullptr) return tl::unexpected(not_found("User"));
    caller.user = target;
  }
  return caller;
}

}  // namespace provisio::sim
