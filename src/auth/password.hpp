#pragma once
// Password hashes for local users: argon2id (libsodium crypto_pwhash_str), memory-hard so that a
// stolen database is slow to attack. Thread-safe; hashing takes tens of milliseconds and belongs
// on the worker pool, not the I/O thread.

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace provisio::auth {

// The encoded hash ("$argon2id$v=19$m=...") of password. kInvalidArgument for an empty password.
Result<std::string> hash_password(std::string_view password);

// True when password matches the encoded hash; false for a wrong password or a malformed hash.
bool verify_password(std::string_view password, std::string_view encoded_hash);

// A random password of `length` characters from an unambiguous alphabet, for the first admin.
std::string generate_password(std::size_t length = 20);

}  // namespace provisio::auth
