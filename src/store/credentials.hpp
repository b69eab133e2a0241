#pragma once
// What the server keeps of a login session and of a user token. Neither row holds the secret the
// caller presents: only its hash (auth/tokens.hpp), so a copy of the database cannot be used to
// log in. Rows go away with their user, and when the user is deactivated (store.hpp).

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "core/user.hpp"

namespace provisio::store {

struct SessionRecord {
  std::string id_hash;  // the hash of the session cookie's value
  UserId user_id = 0;
  std::string csrf_token;  // echoed by the browser in X-XSRF-TOKEN; not a credential on its own
  Millis created_at = 0;
  Millis expires_at = 0;
};

struct UserToken {
  std::int64_t id = 0;  // 0 until stored
  UserId user_id = 0;
  std::string name;        // unique per user
  std::string token_hash;  // the hash of the token handed out once at generation
  Millis created_at = 0;
};

}  // namespace provisio::store
