#include "auth/password.hpp"

#include <sodium.h>

namespace provisio::auth {
namespace {

// Interactive limits: about 64 MiB and a few tens of milliseconds per hash on this hardware.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr std::size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

bool ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

}  // namespace

Result<std::string> hash_password(std::string_view password) {
  if (password.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "The password must not be empty.");
  }
  if (!ensure_sodium()) return make_error(ErrorCode::kInternal, "libsodium failed to start.");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(ErrorCode::kUnavailable, "Not enough memory to hash the password.");
  }
  return std::string(out);
}

bool verify_password(std::string_view password, std::string_view encoded_hash) {
  if (!ensure_sodium() || encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES) {
    return false;
  }
  const std::string hash(encoded_hash);  // needs a terminating NUL
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string generate_password(std::size_t length) {
  ensure_sodium();
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    out.push_back(kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))]);
  }
  return out;
}

}  // namespace provisio::auth
