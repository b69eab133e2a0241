#include "auth/authenticator.hpp"

#include "auth/password.hpp"
#include "auth/tokens.hpp"

namespace provisio::auth {
namespace {

Error refused() { return Error{ErrorCode::kUnauthenticated, "Authentication failed."}; }

// A valid hash of a password nobody knows: an unknown login costs the same time as a wrong
// password, so timing does not reveal which logins exist.
const std::string& decoy_hash() {
  static const std::string hash = hash_password(random_secret()).value_or("");
  return hash;
}

}  // namespace

Authenticator::Authenticator(store::Store& store, const Clock& clock, LoginLimiter& limiter,
                             Millis session_ttl)
    : store_(store), clock_(clock), limiter_(limiter), session_ttl_(session_ttl) {}

Result<User> Authenticator::check_password(std::string_view login, std::string_view password,
                                           std::string_view address) {
  // No login is that long; refusing it first keeps such names out of the limiter and the
  // database.
  if (login.size() > kMaxLoginBytes) return tl::unexpected(refused());
  if (auto allowed = limiter_.check(login, address); !allowed) {
    return tl::unexpected(allowed.error());
  }
  auto user = store_.find_user_by_login(login);
  if (!user && user.error().code != ErrorCode::kNotFound) return tl::unexpected(user.error());
  std::optional<std::string> hash;
  if (user) {
    auto stored = store_.password_hash(user->id);
    if (!stored) return tl::unexpected(stored.error());
    hash = *stored;
  }
  const bool matches = verify_password(password, hash ? *hash : decoy_hash());
  if (!user || !hash || !matches || !user->active || !user->local) {
    limiter_.record_failure(login, address);
    return tl::unexpected(refused());
  }
  limiter_.record_success(login, address);
  return user;
}

Result<NewSession> Authenticator::login(std::string_view login, std::string_view password,
                                        std::string_view address,
                                        const std::optional<std::string>& previous_session_id) {
  auto user = check_password(login, password, address);
  if (!user) return tl::unexpected(user.error());
  return open_session(*user, previous_session_id);
}

Result<NewSession> Authenticator::open_session(
    const User& user, const std::optional<std::string>& previous_session_id) {
  if (!user.active) return tl::unexpected(refused());
  if (previous_session_id) {
    if (auto dropped = logout(*previous_session_id); !dropped) {
      return tl::unexpected(dropped.error());
    }
  }
  NewSession out;
  out.session_id = random_secret();
  out.csrf_token = random_secret();
  const Millis now = clock_.now();
  out.expires_at = now + session_ttl_;
  store::SessionRecord record{secret_hash(out.session_id), user.id, out.csrf_token, now,
                              out.expires_at};
  if (auto created = store_.create_session(record); !created) {
    return tl::unexpected(created.error());
  }
  User seen = user;
  seen.last_connection_at = now;
  (void)store_.update_user(seen);  // the last connection is shown to admins; not worth failing
  out.user = seen;
  return out;
}

Status Authenticator::logout(std::string_view session_id) {
  return store_.delete_session(secret_hash(session_id));
}

Result<User> Authenticator::active_user(UserId id) {
  auto user = store_.get_user(id);
  if (!user) {
    if (user.error().code == ErrorCode::kNotFound) return tl::unexpected(refused());
    return tl::unexpected(user.error());
  }
  if (!user->active) return tl::unexpected(refused());
  return user;
}

Result<Identity> Authenticator::from_session(std::string_view session_id) {
  auto session = store_.find_session(secret_hash(session_id), clock_.now());
  if (!session) {
    if (session.error().code == ErrorCode::kNotFound) return tl::unexpected(refused());
    return tl::unexpected(session.error());
  }
  auto user = active_user(session->user_id);
  if (!user) return tl::unexpected(user.error());
  return Identity{*user, *session};
}

Result<Identity> Authenticator::from_token(std::string_view token) {
  auto stored = store_.find_user_token(secret_hash(token));
  if (!stored) {
    if (stored.error().code == ErrorCode::kNotFound) return tl::unexpected(refused());
    return tl::unexpected(stored.error());
  }
  auto user = active_user(stored->user_id);
  if (!user) return tl::unexpected(user.error());
  return Identity{*user, std::nullopt};
}

Result<NewToken> Authenticator::generate_token(const User& user, const std::string& name) {
  if (name.empty() || name.size() > 100) {
    return make_error(ErrorCode::kInvalidArgument, "A token name is 1 to 100 characters.");
  }
  NewToken out;
  out.token = new_user_token();
  store::UserToken token{0, user.id, name, secret_hash(out.token), clock_.now()};
  auto stored = store_.create_user_token(token);
  if (!stored) {
    if (stored.error().code == ErrorCode::kAlreadyExists) {
      return make_error(ErrorCode::kAlreadyExists,
                        "A token named '" + name + "' already exists for " + user.login + ".");
    }
    return tl::unexpected(stored.error());
  }
  out.stored = *stored;
  return out;
}

}  // namespace provisio::auth
