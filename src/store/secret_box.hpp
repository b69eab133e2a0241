#pragma once
// Encryption of secrets at rest. The key is a file in the data directory, created on first start
// with mode 0600. Two formats:
//   v1: secretbox (XSalsa20-Poly1305), for values bound to nothing (the OAuth flow's cookie);
//   v2: XChaCha20-Poly1305 with associated data, under a subkey derived from the key file, for
//       values that are only good together with something stored next to them in clear (a GitLab
//       secret and the GitLab URL it was given for): opened with other associated data, they
//       fail, so a URL changed in the database never gets the old host's secrets.
// Thread-safe once constructed.

#include <array>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace provisio::store {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  explicit SecretBox(const Key& key);
  ~SecretBox();
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;

  // Loads the key from `path`, or creates it (mode 0600, parent directory included) when absent.
  // Refuses a key file readable by others or of the wrong size.
  static Result<std::shared_ptr<SecretBox>> open_key_file(const std::string& path);

  // "v1:" + base64(nonce || ciphertext). A fresh random nonce each time.
  std::string seal(std::string_view plaintext) const;
  // kInvalidArgument when the text was not sealed with this key or was altered.
  Result<std::string> open(std::string_view sealed) const;

  // "v2:" + base64(nonce || ciphertext), bound to `associated_data` (not stored in it).
  std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  // A v2 value opens only with the associated data it was sealed with; a v1 value (sealed before
  // v2 existed) opens as open() does, whatever the associated data. kInvalidArgument otherwise.
  Result<std::string> open(std::string_view sealed, std::string_view associated_data) const;
  // True for a v2 value.
  static bool is_bound(std::string_view sealed);

 private:
  Key key_;
  Key bound_key_;  // the v2 subkey
};

}  // namespace provisio::store
