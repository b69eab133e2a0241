#include "http/api_auth.hpp"

#include "auth/tokens.hpp"
#include "http/cookies.hpp"
#include "http/error_response.hpp"
#include "http/request_input.hpp"

namespace provisio::http {
namespace {

// "Basic dXNlcjpwYXNz" -> "user:pass"; nothing when it is not base64.
std::optional<std::string> decode_base64(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const auto pos = kAlphabet.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

Result<auth::Identity> from_authorization(ApiContext& context, const HttpRequest& request,
                                          std::string_view header) {
  const Error malformed{ErrorCode::kUnauthenticated, "Malformed Authorization header."};
  if (starts_with_ci(header, "bearer ")) {
    return context.authenticator.from_token(header.substr(7));
  }
  if (!starts_with_ci(header, "basic ")) return tl::unexpected(malformed);
  auto decoded = decode_base64(header.substr(6));
  if (!decoded) return tl::unexpected(malformed);
  const auto colon = decoded->find(':');
  const std::string name = decoded->substr(0, colon);
  const std::string password = colon == std::string::npos ? "" : decoded->substr(colon + 1);
  if (password.empty()) return context.authenticator.from_token(name);
  auto user = context.authenticator.check_password(name, password, request.remote_address);
  if (!user) return tl::unexpected(user.error());
  return auth::Identity{*user, std::nullopt};
}

bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "https://Host:8443/path" -> "host:8443"; "http://host:80" -> "host" (a default port is not
// written by browsers either); nothing when it is not an http(s) URL.
std::optional<std::string> authority_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const std::string scheme = lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string authority = lower(
      url.substr(scheme_end + 3, url.find_first_of("/?#", scheme_end + 3) - (scheme_end + 3)));
  if (authority.empty()) return std::nullopt;
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (authority.size() > default_port.size() &&
      authority.compare(authority.size() - default_port.size(), default_port.size(),
                        default_port) == 0) {
    authority.resize(authority.size() - default_port.size());
  }
  return authority;
}

// A browser names the page a request comes from in Origin (always on a cross-site POST) or at
// least Referer; a script or an API client sends neither. The request is same-site when that
// page is on this server: the address it was reached at (Host) or the configured server URL.
Status check_same_origin(const ApiContext& context, const HttpRequest& request) {
  const auto origin = request.header("origin");
  const auto referer = request.header("referer");
  if (!origin && !referer) return {};
  const Error cross_site{ErrorCode::kPermissionDenied,
                         "Cross-site request refused: it comes from a page that is not this "
                         "server's (Origin or Referer)."};
  const auto page = authority_of(origin ? *origin : *referer);
  if (!page) return tl::unexpected(cross_site);  // "null", or not a web page
  if (const auto host = request.header("host"); host) {
    if (authority_of("http://" + std::string(*host)) == page) return {};
  }
  if (!context.server_url.empty() && authority_of(context.server_url) == page) return {};
  return tl::unexpected(cross_site);
}

// Path and query values reach handlers decoded; refuse the ones that are not text, and U+0000,
// which PostgreSQL cannot store (request_input.cpp refuses it in bodies).
Status check_utf8(const HttpRequest& request) {
  const auto has_nul = [](std::string_view text) { return text.find('\0') != text.npos; };
  for (const auto& [name, value] : request.query) {
    if (!valid_utf8(name) || !valid_utf8(value)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "The parameter '" + (valid_utf8(name) ? name : std::string("?")) +
                            "' is not valid UTF-8.");
    }
    if (has_nul(name) || has_nul(value)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "The parameter '" + name +
                            "' holds a NUL character (U+0000), a control character that text "
                            "here cannot hold.");
    }
  }
  for (const auto& [name, value] : request.path_params) {
    if (!valid_utf8(value)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "The '" + name + "' in the path is not valid UTF-8.");
    }
    if (has_nul(value)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "The '" + name + "' in the path holds a NUL character (U+0000).");
    }
  }
  return {};
}

}  // namespace

bool secure_request(const ApiContext& context, const HttpRequest& request) {
  return context.secure_cookies || request.over_tls;
}

std::string_view to_string(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kAuthenticated:
      return "authenticated";
    case Access::kAdmin:
      return "admin";
  }
  return "admin";
}

Result<bool> is_admin(store::Store& store, const User& user) {
  auto global = store.grants(std::nullopt);
  if (!global) return tl::unexpected(global.error());
  std::optional<std::vector<GroupId>> groups;
  for (const PermissionGrant& g : *global) {
    if (g.permission != "admin") continue;
    if (g.user_id && *g.user_id == user.id) return true;
    if (g.group_id) {
      if (!groups) {
        auto mine = store.user_groups(user.id);
        if (!mine) return tl::unexpected(mine.error());
        groups = std::move(*mine);
      }
      if (std::find(groups->begin(), groups->end(), *g.group_id) != groups->end()) return true;
    }
  }
  return false;
}

Result<Caller> identify(ApiContext& context, const HttpRequest& request) {
  Caller caller;
  Result<auth::Identity> identity = tl::unexpected(Error{});
  if (auto header = request.header("authorization")) {
    identity = from_authorization(context, request, *header);
  } else if (auto session =
                 cookie(request, wire_name(kSessionCookie, secure_request(context, request)));
             session && !session->empty()) {
    identity = context.authenticator.from_session(*session);
  } else {
    return caller;
  }
  if (!identity) return tl::unexpected(identity.error());
  auto admin = is_admin(context.store, identity->user);
  if (!admin) return tl::unexpected(admin.error());
  caller.user = std::move(identity->user);
  caller.session = std::move(identity->session);
  caller.admin = *admin;
  return caller;
}

HttpResponse call_route(ApiContext& context, const ApiRoute& route, const HttpRequest& request) {
  if (auto text = check_utf8(request); !text) return error_response(request.path, text.error());
  if (changes_state(request.method) && !request.header("authorization")) {
    if (auto same = check_same_origin(context, request); !same) {
      return error_response(request.path, same.error());
    }
  }
  auto caller = identify(context, request);
  if (!caller) {
    // Wrong credentials on a public route (login, health) are ignored: the caller is anonymous.
    if (route.access != Access::kPublic || caller.error().code == ErrorCode::kRateLimited) {
      HttpResponse response = error_response(request.path, caller.error());
      if (caller.error().code == ErrorCode::kUnauthenticated) {
        response.headers.emplace_back("WWW-Authenticate", "Bearer");
      }
      return response;
    }
    caller = Caller{};
  }
  if (route.access != Access::kPublic && !caller->authenticated()) {
    return error_response(request.path, 401, "Authentication is required.");
  }
  if (route.access == Access::kAdmin && !caller->admin) {
    return error_response(request.path, 403,
                          "Insufficient privileges: this needs the global "
                          "'admin' permission.");
  }
  // Public routes (login, logout) change nothing that a forged request could abuse.
  if (caller->session && changes_state(request.method) && route.access != Access::kPublic) {
    const auto echoed = request.header(kCsrfHeader);
    if (!echoed || !auth::constant_time_equals(*echoed, caller->session->csrf_token)) {
      return error_response(request.path, 403,
                            "Missing or wrong X-XSRF-TOKEN header: echo the XSRF-TOKEN cookie "
                            "on every state-changing request.");
    }
  }
  auto response = route.handler(request, *caller);
  if (!response) return error_response(request.path, response.error());
  return std::move(*response);
}

}  // namespace provisio::http
