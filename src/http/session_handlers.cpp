// api/authentication, api/users/current and change_password, api/user_tokens.
#include "auth/password.hpp"
#include "http/api_auth.hpp"
#include "http/cookies.hpp"
#include "http/error_response.hpp"
#include "http/handler_support.hpp"
#include "http/handlers.hpp"
#include "http/managed_rules.hpp"
#include "http/request_input.hpp"

namespace provisio::http {
namespace {

constexpr std::size_t kMinPasswordLength = 12;

CookieOptions session_cookie(Millis max_age_ms, bool secure) {
  return CookieOptions{max_age_ms, true, secure};
}

// Readable by the page's script, which echoes it in X-XSRF-TOKEN.
CookieOptions csrf_cookie(Millis max_age_ms, bool secure) {
  return CookieOptions{max_age_ms, false, secure};
}

// The user a v1 call acts on: `login` when given (administrators only, unless it is the caller),
// else the caller.
Result<User> target_user(ApiContext& context, const Params& params, const Caller& caller) {
  auto login = params.get("login");
  if (!login || login->empty() || *login == caller.user->login) return *caller.user;
  if (!caller.admin) {
    return tl::unexpected(forbidden("Acting on another user needs the global 'admin' permission."));
  }
  return context.store.find_user_by_login(*login);
}

}  // namespace

void add_session_cookies(HttpResponse& response, const auth::NewSession& session, Millis ttl,
                         bool secure) {
  response.headers.emplace_back(
      "Set-Cookie", cookie_line(kSessionCookie, session.session_id, session_cookie(ttl, secure)));
  response.headers.emplace_back(
      "Set-Cookie", cookie_line(kCsrfCookie, session.csrf_token, csrf_cookie(ttl, secure)));
}

Result<HttpResponse> login(ApiContext& context, const HttpRequest& request, const Caller&) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto name = params->required("login");
  if (!name) return fail(name);
  if (name->size() > auth::kMaxLoginBytes) {
    return tl::unexpected(invalid("The parameter 'login' is at most " +
                                  std::to_string(auth::kMaxLoginBytes) + " bytes."));
  }
  auto password = params->required("password");
  if (!password) return fail(password);
  const bool secure = secure_request(context, request);
  auto session = context.authenticator.login(*name, *password, request.remote_address,
                                             cookie(request, wire_name(kSessionCookie, secure)));
  if (context.metrics != nullptr) {
    context.metrics->login("local", session                                           ? "success"
                                    : session.error().code == ErrorCode::kRateLimited ? "throttled"
                                                                                      : "failure");
  }
  if (!session) {
    if (session.error().code == ErrorCode::kRateLimited) {
      HttpResponse response = error_response(request.path, session.error());
      const Millis wait =
          context.authenticator.limiter().retry_after(*name, request.remote_address);
      response.headers.emplace_back("Retry-After",
                                    std::to_string(std::max<Millis>(1, wait / 1000)));
      return response;
    }
    return fail(session);
  }
  HttpResponse response;
  response.content_type.clear();
  const Millis ttl = session->expires_at - context.clock.now();
  add_session_cookies(response, *session, ttl, secure);
  return response;
}

Result<HttpResponse> logout(ApiContext& context, const HttpRequest& request, const Caller&) {
  const bool secure = secure_request(context, request);
  if (auto session = cookie(request, wire_name(kSessionCookie, secure));
      session && !session->empty()) {
    if (auto dropped = context.authenticator.logout(*session); !dropped) return fail(dropped);
  }
  HttpResponse response = no_content();
  response.headers.emplace_back("Set-Cookie",
                                cookie_line(kSessionCookie, "", session_cookie(0, secure)));
  response.headers.emplace_back("Set-Cookie", cookie_line(kCsrfCookie, "", csrf_cookie(0, secure)));
  return response;
}

Result<HttpResponse> validate_session(ApiContext&, const HttpRequest&, const Caller& caller) {
  return ok(Json{{"valid", caller.authenticated()}});
}

Result<HttpResponse> current_user(ApiContext& context, const HttpRequest&, const Caller& caller) {
  if (!caller.authenticated()) {
    return ok(Json{{"isLoggedIn", false}, {"permissions", {{"global", Json::array()}}}});
  }
  const User& u = *caller.user;
  auto permissions = global_permissions(context.store, u);
  if (!permissions) return fail(permissions);
  auto groups = context.store.user_group_names(u.id);
  if (!groups) return fail(groups);
  return ok(Json{{"isLoggedIn", true},
                 {"id", u.uuid},
                 {"login", u.login},
                 {"name", u.name},
                 {"email", u.email ? Json(*u.email) : Json(nullptr)},
                 {"active", u.active},
                 {"local", u.local},
                 {"managed", u.managed},
                 {"externalIdentity", u.external_login ? Json(*u.external_login) : Json(nullptr)},
                 {"externalProvider", to_string(u.external_provider)},
                 {"groups", std::move(*groups)},
                 {"permissions", {{"global", *permissions}}}});
}

Result<HttpResponse> change_password(ApiContext& context, const HttpRequest& request,
                                     const Caller& caller) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto password = params->required("password");
  if (!password) return fail(password);
  auto target = target_user(context, *params, caller);
  if (!target) return fail(target);
  auto managed = managed_instance(context.store);
  if (!managed) return fail(managed);
  if (auto allowed = may_change_password(*managed); !allowed) return fail(allowed);
  if (!target->local) {
    return tl::unexpected(invalid("Only local users have a password here; '" + target->login +
                                  "' logs in with GitLab."));
  }
  if (target->id == caller.user->id) {
    // Changing one's own password needs the old one, so a stolen session cannot take over.
    auto previous = params->required("previousPassword");
    if (!previous) return fail(previous);
    auto checked =
        context.authenticator.check_password(target->login, *previous, request.remote_address);
    if (!checked) {
      if (checked.error().code == ErrorCode::kRateLimited) return fail(checked);
      return tl::unexpected(invalid("The previous password is not correct."));
    }
  }
  if (password->size() < kMinPasswordLength) {
    return tl::unexpected(
        invalid("A password has at least " + std::to_string(kMinPasswordLength) + " characters."));
  }
  auto hash = auth::hash_password(*password);
  if (!hash) return fail(hash);
  if (auto saved = context.store.set_password_hash(target->id, *hash); !saved) return fail(saved);
  // Whoever knew the old password may hold a session: every other one of the user's ends (the
  // one this change was made from stays).
  std::optional<std::string> keep;
  if (target->id == caller.user->id && caller.session) keep = caller.session->id_hash;
  if (auto ended = context.store.delete_sessions_of(target->id, keep); !ended) return fail(ended);
  audit(context, caller, "user.password", "user", target->login);
  return no_content();
}

Result<HttpResponse> generate_token(ApiContext& context, const HttpRequest& request,
                                    const Caller& caller) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto name = params->required("name");
  if (!name) return fail(name);
  auto target = target_user(context, *params, caller);
  if (!target) return fail(target);
  if (!target->active)
    return tl::unexpected(invalid("The user '" + target->login + "' is inactive."));
  auto token = context.authenticator.generate_token(*target, *name);
  if (!token) return fail(token);
  audit(context, caller, "token.generate", "user", target->login, std::nullopt, *name);
  return ok(Json{{"login", target->login},
                 {"name", token->stored.name},
                 {"token", token->token},
                 {"createdAt", format_time(token->stored.created_at)}});
}

Result<HttpResponse> revoke_token(ApiContext& context, const HttpRequest& request,
                                  const Caller& caller) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto name = params->required("name");
  if (!name) return fail(name);
  auto target = target_user(context, *params, caller);
  if (!target) return fail(target);
  if (auto deleted = context.store.delete_user_token(target->id, *name); !deleted) {
    return fail(deleted);
  }
  audit(context, caller, "token.revoke", "user", target->login, *name, std::nullopt);
  return no_content();
}

Result<HttpResponse> search_tokens(ApiContext& context, const HttpRequest& request,
                                   const Caller& caller) {
  auto params = Params::of(request);
  if (!params) return fail(params);
  auto target = target_user(context, *params, caller);
  if (!target) return fail(target);
  auto tokens = context.store.list_user_tokens(target->id);
  if (!tokens) return fail(tokens);
  Json list = Json::array();
  for (const store::UserToken& t : *tokens) {
    list.push_back(Json{{"name", t.name}, {"createdAt", format_time(t.created_at)}});
  }
  return ok(Json{{"login", target->login}, {"userTokens", std::move(list)}});
}

}  // namespace provisio::http
