#pragma once
// The secrets the server hands out (session ids, user tokens, CSRF tokens) and how it keeps
// them: 32 random bytes from the operating system, stored only as a BLAKE2b-256 hash, so a copy
// of the database cannot be replayed. A plain fast hash suffices: unlike a password, the input
// has 256 bits of entropy. Thread-safe.

#include <string>
#include <string_view>

namespace provisio::auth {

// The prefix of user tokens, so that secret scanners can spot a leaked one.
inline constexpr std::string_view kUserTokenPrefix = "pvo_";

// 32 random bytes as 64 lower-case hex characters.
std::string random_secret();

// A new user token: kUserTokenPrefix + random_secret().
std::string new_user_token();

// BLAKE2b-256 of text, as 64 lower-case hex characters: what the store keeps.
std::string secret_hash(std::string_view text);

// Compares in time independent of where the inputs differ.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace provisio::auth
