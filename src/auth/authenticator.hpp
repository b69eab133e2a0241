#pragma once
// Who is calling: local login with a password (behaviour.md §4), the sessions it opens, and user
// tokens. Only active users are recognised. Secrets handed out here are returned once and kept
// only as hashes (tokens.hpp).
//
// Thread-safe (the Store is); password checks block for the argon2id hash, so call it from the
// HTTP worker pool, never the I/O thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/login_limiter.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "core/user.hpp"
#include "store/store.hpp"

namespace provisio::auth {

inline constexpr Millis kDefaultSessionTtl = Millis{3} * 24 * 60 * 60 * 1000;  // as SonarQube
// The longest login name a password check looks at (the login form and HTTP Basic alike).
inline constexpr std::size_t kMaxLoginBytes = 255;

struct Identity {
  User user;
  std::optional<store::SessionRecord> session;  // set when the caller came with a session
};

struct NewSession {
  User user;
  std::string session_id;  // the cookie's value; only its hash is stored
  std::string csrf_token;
  Millis expires_at = 0;
};

struct NewToken {
  store::UserToken stored;
  std::string token;  // shown once
};

class Authenticator {
 public:
  Authenticator(store::Store& store, const Clock& clock, LoginLimiter& limiter,
                Millis session_ttl = kDefaultSessionTtl);

  // Checks a local user's password (slowed down by the limiter: kRateLimited) and returns the
  // user; kUnauthenticated with one message for every reason (unknown login, wrong password,
  // inactive or non-local user, a login over kMaxLoginBytes), so the answer does not tell which.
  Result<User> check_password(std::string_view login, std::string_view password,
                              std::string_view address);

  // check_password, then a new session. `previous_session_id` (the cookie the caller came with,
  // if any) is deleted: each login gets a new id, so a planted id is worth nothing.
  Result<NewSession> login(std::string_view login, std::string_view password,
                           std::string_view address,
                           const std::optional<std::string>& previous_session_id);
  // A new session for a user who proved who they are elsewhere (GitLab OAuth). The previous
  // session id is dropped as in login(); an inactive user gets kUnauthenticated.
  Result<NewSession> open_session(const User& user,
                                  const std::optional<std::string>& previous_session_id);
  Status logout(std::string_view session_id);

  // kUnauthenticated when the session or token is unknown, expired, or its user inactive.
  Result<Identity> from_session(std::string_view session_id);
  Result<Identity> from_token(std::string_view token);

  // A new token named `name` (1 to 100 characters) for `user`; kAlreadyExists when the name is
  // taken.
  Result<NewToken> generate_token(const User& user, const std::string& name);

  LoginLimiter& limiter() { return limiter_; }

 private:
  Result<User> active_user(UserId id);

  store::Store& store_;
  const Clock& clock_;
  LoginLimiter& limiter_;
  const Millis session_ttl_;
};

}  // namespace provisio::auth
